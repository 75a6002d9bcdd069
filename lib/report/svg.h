/* SPDX-License-Identifier: MIT */
/* report/svg.h - charts of a report as SVG: axes with units and nice
 * ticks, a legend, one <g class="hp-s"> per series (data-n = its points,
 * drawn as one polyline and/or one circle per point), reference lines.
 * The same markup goes inline into HTML (styled by the page) or into a
 * file of its own (with its own <style>, light and dark). */
#ifndef HP_REPORT_SVG_H
#define HP_REPORT_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "report/doc.h"

#define HP_SVG_WIDTH 920

/* The chart; standalone adds the XML prolog, xmlns and a <style>. */
void hp_svg_chart(FILE *f, const struct hp_chart *c, bool standalone);
/* The chart's values as JSON for the page's hover script: plot geometry,
 * units, and per series its name and x/y arrays. */
void hp_svg_chart_data(FILE *f, const struct hp_chart *c);
/* The colours and lines of charts, for a page or a standalone file. */
extern const char hp_svg_css[];
/* Escape s for XML and HTML text and attributes; control characters other
 * than tab and newline (which XML 1.0 cannot hold) become '?'. */
void hp_xml_escape(FILE *f, const char *s);

#endif
