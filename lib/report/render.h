/* SPDX-License-Identifier: MIT */
/* report/render.h - a report document as one self-contained HTML page (CSS,
 * inline SVG charts and a small hover script inside, nothing fetched; light
 * and dark mode; prints on white) or as Markdown with each chart in an SVG
 * file beside it. Files are written atomically. */
#ifndef HP_REPORT_RENDER_H
#define HP_REPORT_RENDER_H

#include <stddef.h>

#include "core/err.h"
#include "report/doc.h"

/* The page's text (free with free(3): it comes from open_memstream). */
int hp_report_html_text(const struct hp_rdoc *d, const char *generator, char **out, size_t *len);
int hp_report_write_html(const struct hp_rdoc *d, const char *generator, const char *path,
                         struct hp_err *err);
/* path.md, and for each chart STEM-ID.svg in the same directory (STEM is
 * path's file name without .md), linked from the Markdown. */
int hp_report_write_markdown(const struct hp_rdoc *d, const char *generator, const char *path,
                             struct hp_err *err);

#endif
