/* SPDX-License-Identifier: MIT */
/* core/names.h - "did you mean": the nearest of a list of names. */
#ifndef HP_CORE_NAMES_H
#define HP_CORE_NAMES_H

/* Levenshtein distance (names up to 63 characters; longer ones are far). */
int hp_edit_distance(const char *a, const char *b);
/* The candidate nearest to word, or NULL when none is close: within 1 edit
 * for words of up to 3 characters, 2 up to 6, 3 beyond; a prefix of 3 or
 * more characters counts as 1, and so does a word of 4 or more that shares
 * all but its last character with the candidate (singular and plural). */
const char *hp_nearest(const char *word, const char *const *candidates, int n);

#endif
