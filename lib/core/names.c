// SPDX-License-Identifier: MIT
/* core/names.c - edit distance and nearest names, for error messages. */
#include "core/names.h"

#include <string.h>

int hp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[64];
    if (lb >= sizeof row / sizeof row[0])
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *hp_nearest(const char *word, const char *const *candidates, int n)
{
    const char *best = NULL;
    int best_d = 99;
    size_t wlen = strlen(word);
    for (int i = 0; i < n; i++) {
        int d = hp_edit_distance(word, candidates[i]);
        /* A prefix of a longer name is a near miss too ("--thr" for "--threads"), and
         * so is another form of the same word: all but its last letter shared
         * ("--policy" for "--policies"). */
        size_t common = 0;
        while (word[common] && word[common] == candidates[i][common])
            common++;
        if ((wlen >= 3 && common == wlen) || (wlen >= 4 && common + 1 >= wlen))
            d = d < 1 ? d : 1;
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    int limit = wlen <= 3 ? 1 : wlen <= 6 ? 2 : 3;
    /* A suggestion shares at least one character with the word. */
    return best_d <= limit && best_d < (int)wlen ? best : NULL;
}
