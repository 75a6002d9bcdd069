// SPDX-License-Identifier: MIT
/* Unit tests of core/file.c's writer: the order of an atomic write's steps
 * (the data reaches the disk before the name does), and what a write leaves
 * behind. Every kind of output path is in tests/integration/outputs.sh. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/file_test.h"
#include "testutil.h"

static char steps[256];

static void record(const char *op)
{
    size_t n = strlen(steps);
    snprintf(steps + n, sizeof steps - n, "%s%s", n ? "," : "", op);
}

static int files_in(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* write, then fsync, then the name: a crash leaves the old file or the
 * whole new one. Dropping the fsync (or moving it after the rename) fails
 * this test. */
static void atomic_write_syncs_before_it_renames(void **state)
{
    (void)state;
    char dir[] = "/tmp/hp_test_file.XXXXXX", path[64];
    struct hp_err err;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.json", dir);
    steps[0] = '\0';
    hp_file_trace_set(record);
    assert_int_equal(hp_file_write_atomic(path, "{}\n", 3, &err), 0);
    assert_int_equal(hp_file_write_atomic(path, "[1]\n", 4, &err), 0); /* replacing */
    hp_file_trace_set(NULL);
    /* O_TMPFILE links the file under a temporary name first; a file system
     * without it writes a named temporary: either way, fsync comes first. */
    if (strcmp(steps, "write,fsync,link,rename,write,fsync,link,rename") != 0 &&
        strcmp(steps, "write,fsync,rename,write,fsync,rename") != 0)
        fail_msg("steps: %s", steps);
    char *text = NULL;
    assert_int_equal(hp_file_read(path, 64, &text, NULL, &err), 0);
    assert_string_equal(text, "[1]\n");
    hp_free(text);
    assert_int_equal(files_in(dir), 1); /* no temporary left beside it */
    unlink(path);
    rmdir(dir);
}

/* A pieced-together file appears only at commit; an abort leaves nothing. */
static void pieces_appear_whole_at_commit(void **state)
{
    (void)state;
    char dir[] = "/tmp/hp_test_file.XXXXXX", path[64];
    struct hp_err err;
    struct hp_file_out o;
    struct stat st;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/log.hlog", dir);
    assert_int_equal(hp_file_out_open(&o, path, &err), 0);
    assert_int_equal(hp_file_out_write(&o, "a,", 2, &err), 0);
    assert_int_equal(stat(path, &st), -1); /* not there yet */
    assert_int_equal(hp_file_out_write(&o, "b\n", 2, &err), 0);
    assert_int_equal(hp_file_out_commit(&o, &err), 0);
    hp_file_out_abort(&o); /* harmless after a commit */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 4);
    assert_int_equal(hp_file_out_open(&o, path, &err), 0);
    assert_int_equal(hp_file_out_write(&o, "lost", 4, &err), 0);
    hp_file_out_abort(&o);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 4); /* the old content stays */
    assert_int_equal(files_in(dir), 1);
    unlink(path);
    rmdir(dir);
}

/* Before a run: a missing folder and a folder are refused, a new file in a
 * writable folder and "-" are fine. */
static void outputs_are_checked_before_the_run(void **state)
{
    (void)state;
    struct hp_err err;
    assert_int_equal(hp_file_check_output("-", &err), 0);
    assert_int_equal(hp_file_check_output("/tmp/hp_no_such_folder_4711/x.json", &err), -ENOENT);
    assert_non_null(strstr(err.msg, "hp_no_such_folder_4711"));
    assert_int_equal(hp_file_check_output("/tmp", &err), -EISDIR);
    assert_int_equal(hp_file_check_output("/tmp/hp_new_file_4711.json", &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(atomic_write_syncs_before_it_renames),
        cmocka_unit_test(pieces_appear_whole_at_commit),
        cmocka_unit_test(outputs_are_checked_before_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
