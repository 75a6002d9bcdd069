// SPDX-License-Identifier: MIT
/* model/usl.c - USL fit and its questions.
 *
 * Bounds: GSL's multifit_nlinear has none, so the solver works on (a, b,
 * lambda) with sigma = a^2 and kappa = b^2, which keeps both non-negative
 * (the standard transformation for simple bounds). Standard errors come from
 * the Jacobian in the original parameters at the solution:
 * cov = s^2 (J^T J)^-1 with s^2 = SSE / (n - 3).
 *
 * Starting point (as R's usl package does): lambda from the best X/N seen;
 * then with C(N) = X(N) / lambda the USL is linear in sigma and kappa:
 * N / C(N) - 1 = sigma (N - 1) + kappa N (N - 1), solved by least squares. */
#include "model/usl.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_errno.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

struct data {
    const double *n, *x;
    size_t count;
};

static double usl_x(double sigma, double kappa, double lambda, double n)
{
    return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

static int residuals(const gsl_vector *p, void *arg, gsl_vector *f)
{
    const struct data *d = arg;
    double a = gsl_vector_get(p, 0), b = gsl_vector_get(p, 1), lambda = gsl_vector_get(p, 2);
    for (size_t i = 0; i < d->count; i++)
        gsl_vector_set(f, i, usl_x(a * a, b * b, lambda, d->n[i]) - d->x[i]);
    return GSL_SUCCESS;
}

static int jacobian(const gsl_vector *p, void *arg, gsl_matrix *j)
{
    const struct data *d = arg;
    double a = gsl_vector_get(p, 0), b = gsl_vector_get(p, 1), lambda = gsl_vector_get(p, 2);
    for (size_t i = 0; i < d->count; i++) {
        double n = d->n[i], den = 1 + a * a * (n - 1) + b * b * n * (n - 1);
        double g = -lambda * n / (den * den);
        gsl_matrix_set(j, i, 0, g * (n - 1) * 2 * a);
        gsl_matrix_set(j, i, 1, g * n * (n - 1) * 2 * b);
        gsl_matrix_set(j, i, 2, n / den);
    }
    return GSL_SUCCESS;
}

/* Least squares for y = sigma x1 + kappa x2 (no intercept), 2x2 normal equations. */
static void initial_guess(const struct data *d, double *sigma, double *kappa, double *lambda)
{
    double best = 0;
    for (size_t i = 0; i < d->count; i++)
        if (d->x[i] / d->n[i] > best)
            best = d->x[i] / d->n[i];
    *lambda = best;
    double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
    for (size_t i = 0; i < d->count; i++) {
        double n = d->n[i], y = n / (d->x[i] / best) - 1, x1 = n - 1, x2 = n * (n - 1);
        s11 += x1 * x1;
        s12 += x1 * x2;
        s22 += x2 * x2;
        t1 += x1 * y;
        t2 += x2 * y;
    }
    double det = s11 * s22 - s12 * s12;
    *sigma = *kappa = 0;
    if (fabs(det) > 1e-300) {
        *sigma = (t1 * s22 - t2 * s12) / det;
        *kappa = (s11 * t2 - s12 * t1) / det;
    }
    /* Keep the start inside the bounds and off 0, where the square
     * transformation has no gradient. */
    if (!(*sigma > 1e-6))
        *sigma = 1e-6;
    if (!(*kappa > 1e-9))
        *kappa = 1e-9;
}

/* Standard errors and intervals from J in (sigma, kappa, lambda). */
static void errors(const struct data *d, struct hp_usl *u, double sse)
{
    double jtj[9] = {0};
    u->se_sigma = u->se_kappa = u->se_lambda = NAN;
    u->t_quantile = u->t_rusl = NAN;
    if (u->dof < 1)
        return;
    for (size_t i = 0; i < d->count; i++) {
        double n = d->n[i], den = 1 + u->sigma * (n - 1) + u->kappa * n * (n - 1);
        double g = -u->lambda * n / (den * den);
        double row[3] = {g * (n - 1), g * n * (n - 1), n / den};
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                jtj[r * 3 + c] += row[r] * row[c];
    }
    gsl_matrix_view m = gsl_matrix_view_array(jtj, 3, 3);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(&m.matrix);
    if (rc == GSL_SUCCESS)
        rc = gsl_linalg_cholesky_invert(&m.matrix);
    gsl_set_error_handler(old);
    if (rc != GSL_SUCCESS)
        return;
    double s2 = sse / u->dof;
    u->se_sigma = sqrt(s2 * jtj[0]);
    u->se_kappa = sqrt(s2 * jtj[4]);
    u->se_lambda = sqrt(s2 * jtj[8]);
    u->t_quantile = gsl_cdf_tdist_Pinv(0.975, u->dof);
    /* sigma and kappa are bounded at 0: an interval never reaches below */
    u->ci_sigma[0] = fmax(0, u->sigma - u->t_quantile * u->se_sigma);
    u->ci_sigma[1] = u->sigma + u->t_quantile * u->se_sigma;
    u->ci_kappa[0] = fmax(0, u->kappa - u->t_quantile * u->se_kappa);
    u->ci_kappa[1] = u->kappa + u->t_quantile * u->se_kappa;
    u->ci_lambda[0] = u->lambda - u->t_quantile * u->se_lambda;
    u->ci_lambda[1] = u->lambda + u->t_quantile * u->se_lambda;
    u->t_rusl = gsl_cdf_tdist_Pinv(0.95, (double)d->count - 1);
    u->ci_rusl_sigma[0] = fmax(0, u->sigma - u->t_rusl * u->se_sigma);
    u->ci_rusl_sigma[1] = u->sigma + u->t_rusl * u->se_sigma;
    u->ci_rusl_kappa[0] = fmax(0, u->kappa - u->t_rusl * u->se_kappa);
    u->ci_rusl_kappa[1] = u->kappa + u->t_rusl * u->se_kappa;
    u->ci_rusl_lambda[0] = u->lambda - u->t_rusl * u->se_lambda;
    u->ci_rusl_lambda[1] = u->lambda + u->t_rusl * u->se_lambda;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int hp_usl_fit(const double *n_users, const double *throughput, size_t n, struct hp_usl *out,
               struct hp_err *err)
{
    struct data d = {n_users, throughput, n};
    size_t distinct = 0;
    int rc = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        if (!(n_users[i] > 0) || !(throughput[i] > 0) || !isfinite(n_users[i]) ||
            !isfinite(throughput[i]))
            return hp_err_set(err, HP_ERANGE,
                              "point %zu (N = %g, X = %g): N and X must be above 0", i + 1,
                              n_users[i], throughput[i]);
    double *sorted = hp_malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return hp_err_set(err, -ENOMEM, "out of memory");
    memcpy(sorted, n_users, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || sorted[i] != sorted[i - 1];
    hp_free(sorted);
    if (distinct < 3)
        return hp_err_set(err, HP_ERANGE,
                          "%zu distinct values of N: the USL's three parameters need at least 3",
                          distinct);

    double sigma, kappa, lambda;
    initial_guess(&d, &sigma, &kappa, &lambda);
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, 3);
    if (!w)
        return hp_err_set(err, -ENOMEM, "out of memory");
    gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = jacobian, .n = n, .p = 3, .params = &d};
    double p0[3] = {sqrt(sigma), sqrt(kappa), lambda};
    gsl_vector_view x0 = gsl_vector_view_array(p0, 3);
    int info;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int grc = gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    if (grc == GSL_SUCCESS)
        grc = gsl_multifit_nlinear_driver(1000, 1e-12, 1e-12, 1e-12, NULL, NULL, &info, w);
    gsl_set_error_handler(old);
    if (grc != GSL_SUCCESS && grc != GSL_EMAXITER) {
        rc = hp_err_set(err, HP_ERANGE, "the USL fit did not converge (%s)", gsl_strerror(grc));
        goto out;
    }
    const gsl_vector *p = gsl_multifit_nlinear_position(w);
    out->sigma = gsl_vector_get(p, 0) * gsl_vector_get(p, 0);
    out->kappa = gsl_vector_get(p, 1) * gsl_vector_get(p, 1);
    out->lambda = gsl_vector_get(p, 2);
    if (!isfinite(out->sigma) || !isfinite(out->kappa) || !(out->lambda > 0)) {
        rc = hp_err_set(err, HP_ERANGE, "the USL fit did not converge to finite parameters");
        goto out;
    }
    /* The square transformation reaches a bound only in the limit: a
     * coefficient the data push to 0 ends a few ulps above it (sigma
     * 2.3e-17). One whose share of the denominator at the largest N is below
     * 1e-12 is at its bound: exactly 0. */
    double nmax = 0;
    for (size_t i = 0; i < n; i++)
        nmax = fmax(nmax, n_users[i]);
    if (out->sigma * (nmax - 1) < 1e-12) {
        out->sigma = 0;
        out->sigma_at_bound = true;
    }
    if (out->kappa * nmax * (nmax - 1) < 1e-12) {
        out->kappa = 0;
        out->kappa_at_bound = true;
    }
    double sse = 0, mean = 0, sst = 0;
    for (size_t i = 0; i < n; i++)
        mean += throughput[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        double r = hp_usl_throughput(out, n_users[i]) - throughput[i];
        sse += r * r;
        sst += (throughput[i] - mean) * (throughput[i] - mean);
    }
    out->r_squared = sst > 0 ? 1 - sse / sst : 1;
    out->points = n;
    out->dof = (int)n - 3;
    out->few_points = n < 6;
    errors(&d, out, sse);
out:
    gsl_multifit_nlinear_free(w);
    return rc;
}

double hp_usl_throughput(const struct hp_usl *u, double n)
{
    return usl_x(u->sigma, u->kappa, u->lambda, n);
}

double hp_usl_response_time(const struct hp_usl *u, double n)
{
    return (1 + u->sigma * (n - 1) + u->kappa * n * (n - 1)) / u->lambda;
}

bool hp_usl_peak(const struct hp_usl *u, double *n_star, double *x_star)
{
    if (!(u->kappa > 0) || u->sigma >= 1)
        return false;
    *n_star = sqrt((1 - u->sigma) / u->kappa);
    *x_star = hp_usl_throughput(u, *n_star);
    return true;
}

bool hp_usl_amdahl_limit(const struct hp_usl *u, double *x_limit)
{
    if (!(u->sigma > 0))
        return false;
    *x_limit = u->lambda / u->sigma;
    return true;
}

/* X(N) = x  <=>  x (1 + sigma (N - 1) + kappa N (N - 1)) = lambda N
 *           <=>  x kappa N^2 + (x (sigma - kappa) - lambda) N + x (1 - sigma) = 0.
 * With kappa > 0 the smaller root is the rising side, where N first reaches
 * x; it is written 2c / (-b + sqrt(b^2 - 4ac)) to avoid cancellation. A
 * negative discriminant means x is above the peak. With kappa = 0 the
 * equation is linear: N = x (1 - sigma) / (lambda - x sigma), for x below
 * the Amdahl limit lambda / sigma. */
int hp_usl_users_for_throughput(const struct hp_usl *u, double x, double *n, struct hp_err *err)
{
    double a = x * u->kappa, b = x * (u->sigma - u->kappa) - u->lambda, c = x * (1 - u->sigma);
    double n_star, x_max;

    if (!(x > 0))
        return hp_err_set(err, HP_ERANGE, "target throughput must be above 0");
    if (u->kappa > 0) {
        double disc = b * b - 4 * a * c;
        if (disc < 0 || -b <= 0) {
            if (hp_usl_peak(u, &n_star, &x_max))
                return hp_err_set(err, HP_ERANGE,
                                  "throughput %g is beyond this system: the most it reaches is "
                                  "%g, at N = %.4g",
                                  x, x_max, n_star);
            return hp_err_set(err, HP_ERANGE, "throughput %g is beyond this system", x);
        }
        *n = 2 * c / (-b + sqrt(disc));
        return 0;
    }
    if (u->sigma > 0 && x >= u->lambda / u->sigma)
        return hp_err_set(err, HP_ERANGE,
                          "throughput %g is beyond this system: it approaches %g (lambda / sigma) "
                          "and never reaches it",
                          x, u->lambda / u->sigma);
    *n = c / (u->lambda - x * u->sigma);
    return 0;
}

/* R(N) = r  <=>  kappa N^2 + (sigma - kappa) N + (1 - sigma - r lambda) = 0.
 * For r >= R(1) = 1 / lambda the constant term c is <= -sigma <= 0, so there
 * is exactly one non-negative root. With b = sigma - kappa and D = b^2 -
 * 4 kappa c, the root (-b + sqrt(D)) / (2 kappa) cancels when b > 0 and
 * kappa is small (sqrt(D) is then b to many digits: 21.51 came out as 0 on
 * R's raytracer data); multiplied through by (b + sqrt(D)) it is
 * -2c / (b + sqrt(D)), which does not, and which with kappa = 0 is the
 * linear root (r lambda - 1 + sigma) / sigma. The first form serves when
 * b < 0 (no cancellation there). */
int hp_usl_users_for_response_time(const struct hp_usl *u, double r, double *n,
                                   struct hp_err *err)
{
    double r1 = 1 / u->lambda;
    if (!(r >= r1 * (1 - 1e-12)))
        return hp_err_set(err, HP_ERANGE,
                          "response time %g is below the single-user time R(1) = %g: more "
                          "users cannot make it faster",
                          r, r1);
    double b = u->sigma - u->kappa, c = 1 - u->sigma - r * u->lambda;
    if (u->kappa > 0 || u->sigma > 0) {
        double disc = b * b - 4 * u->kappa * c, root = sqrt(disc > 0 ? disc : 0);
        *n = b >= 0 ? -2 * c / (b + root) : (-b + root) / (2 * u->kappa);
        return 0;
    }
    return hp_err_set(err, HP_ERANGE,
                      "this fit has no contention and no coherency: response time stays %g "
                      "whatever N",
                      r1);
}
