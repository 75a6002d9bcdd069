/* SPDX-License-Identifier: MIT */
/* prof/flame.h - an interactive SVG flame graph of a stack tree: a frame a
 * box as wide as its samples, callers below callees (or above, as an
 * icicle). In a browser: hovering shows the function, its samples and
 * share; clicking zooms into a frame (its callers stay, full width, faded),
 * "Reset zoom" or Escape comes back; "Search" (or Ctrl-F) highlights the
 * frames whose name matches a regular expression and shows the share of
 * samples under them (nested matches counted once). A URL ending in
 * #search=REGEX searches on load.
 * A differential graph draws counts 1 ("after") and colours each frame by
 * the change in its share of all samples from counts 0 ("before"): red grew,
 * blue shrank, the deeper the more, grey unchanged. */
#ifndef HP_PROF_FLAME_H
#define HP_PROF_FLAME_H

#include <stdbool.h>
#include <stdio.h>

#include "prof/stacks.h"

struct hp_flame_opts {
    const char *title;    /* default "Flame graph" */
    const char *subtitle; /* may be NULL */
    const char *unit;     /* what a count is: default "samples" */
    int width;            /* pixels; default 1200 */
    bool icicle;          /* the root at the top */
    bool diff;            /* counts 1 drawn, coloured by the change from counts 0 */
    double min_width;     /* frames narrower (pixels) are left out; default 0.1 */
};

/* Write s (sorted: hp_stacks_sort) as an SVG document. 0, or -EIO. *frames
 * (may be NULL) gets how many frames were drawn. */
int hp_flame_svg(const struct hp_stacks *s, const struct hp_flame_opts *o, FILE *f,
                 uint64_t *frames);

#endif
