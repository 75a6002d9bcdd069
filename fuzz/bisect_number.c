// SPDX-License-Identifier: MIT
/* fuzz/bisect_number.c - `hotpath bisect --metric stdout`: the last number
 * a run command printed. Invariants: what is found is finite and is what
 * strtod reads from one of the text's words (checked again here, word by
 * word from the end, as a second reading); nothing is found in text
 * without a digit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "guard/bisect.h"

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    const char *text = (const char *)data;
    double v = NAN;
    bool found = hp_bisect_last_number(text, size, &v);
    bool digit = false;
    for (size_t i = 0; i < size; i++)
        digit |= data[i] >= '0' && data[i] <= '9';
    if (!found)
        return 0;
    FUZZ_ASSERT(isfinite(v));
    FUZZ_ASSERT(digit); /* inf and nan are refused: a finite number has a digit */
    /* the last word that reads as a finite number, read again */
    size_t end = size;
    for (;;) {
        while (end > 0 && space(text[end - 1]))
            end--;
        FUZZ_ASSERT(end > 0); /* a number was found, so a word holds it */
        size_t start = end;
        while (start > 0 && !space(text[start - 1]))
            start--;
        char tok[128];
        size_t n = end - start < sizeof tok - 1 ? end - start : sizeof tok - 1;
        for (size_t i = 0; i < n; i++)
            tok[i] = text[start + i] ? text[start + i] : '?';
        tok[n] = '\0';
        char *e;
        double x = strtod(tok, &e);
        if (e != tok && (*e == '\0' || strchr("%,;)", *e)) && isfinite(x)) {
            FUZZ_ASSERT(x == v || (isnan(x) && isnan(v)));
            return 0;
        }
        end = start;
    }
}
