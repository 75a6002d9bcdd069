/* SPDX-License-Identifier: MIT */
/* core/file_test.h - TEST-ONLY hook into core/file.c: see the steps of an
 * atomic write in order ("write", "fsync", "link", "rename"), so a test can
 * tell that the data reaches the disk before the name does. Never call this
 * from product code. */
#ifndef HP_CORE_FILE_TEST_H
#define HP_CORE_FILE_TEST_H

/* fn is called with each step's name; NULL turns it off. */
void hp_file_trace_set(void (*fn)(const char *op));

#endif
