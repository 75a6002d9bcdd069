/* SPDX-License-Identifier: MIT */
/* core/file.h - whole-file reads with a ceiling, and atomic writes.
 * Every file hotpath writes goes through hp_file_write_atomic() or
 * hp_file_out_*: a reader never sees half a document, even if hotpath is
 * killed mid-write, and an output that is a device, a FIFO or a link stays
 * what it is. */
#ifndef HP_CORE_FILE_H
#define HP_CORE_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Read all of path ("-" is stdin) into a NUL-terminated buffer of at most
 * max_bytes. Sets *out (free with hp_free) and *len (may be NULL).
 * Errors: HP_EINPUT when it cannot be opened or read (the reason in err),
 * -EFBIG when it is larger than max_bytes, -ENOMEM. */
int hp_file_read(const char *path, size_t max_bytes, char **out, size_t *len, struct hp_err *err);

/* Write len bytes to path so that a reader sees the old file or the whole
 * new one, never a part:
 *  - a regular file (or none yet) is replaced: the bytes go to a nameless
 *    file in the same folder (O_TMPFILE; a named temporary where the file
 *    system has none), fsync, then a rename over path. A killed writer
 *    leaves nothing; temporaries a killed writer of an older hotpath left
 *    beside path are removed;
 *  - a symbolic link stays: the file at the end of its chain is replaced;
 *  - a device or a FIFO is written through, never replaced; "-" is stdout.
 * When writing fails, the bytes are kept in PATH.unsaved.PID or in the
 * temporary folder, and err's message says where. */
int hp_file_write_atomic(const char *path, const void *data, size_t len, struct hp_err *err);

/* The same for a file written in pieces (an HDR log, a generated trace):
 * open, write as often as needed, then commit (which closes), or abort
 * (nothing changes at path). */
struct hp_file_out {
    int fd;
    bool through;        /* stdout, a device, a FIFO: written in place */
    bool named;          /* the temporary has a name (tmp) */
    char dest[PATH_MAX]; /* the file the bytes become (a link's target) */
    char tmp[PATH_MAX + 32];
};
int hp_file_out_open(struct hp_file_out *o, const char *path, struct hp_err *err);
int hp_file_out_write(struct hp_file_out *o, const void *data, size_t len, struct hp_err *err);
int hp_file_out_commit(struct hp_file_out *o, struct hp_err *err);
void hp_file_out_abort(struct hp_file_out *o); /* safe after a failed open or a commit */

/* Can path be written as an output? Checked before a run, so that a
 * missing folder or a read-only file is found before minutes of measuring
 * rather than after. 0, or a negative code with err naming path and why. */
int hp_file_check_output(const char *path, struct hp_err *err);

/* Raise this process's open-file limit (RLIMIT_NOFILE) towards want, as far
 * as the hard limit allows. Returns the soft limit now in force. */
long hp_fd_limit_raise(long want);

#endif
