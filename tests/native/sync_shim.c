/* Preloaded ahead of the C library (LD_PRELOAD), so that SQLite's fsync and fdatasync come
 * here first. With SYNC_LOG set, each sync appends "sync <thread id> <process id>" to that
 * file: which thread waited for the disk. With SYNC_DELAY_MS set, each sync first sleeps
 * that long: a slow or overloaded disk. Then the real call. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void before_sync(void) {
    const char *path = getenv("SYNC_LOG");
    if (path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
        if (fd >= 0) {
            char line[48];
            int n = snprintf(line, sizeof line, "sync %ld %d\n", (long)syscall(SYS_gettid),
                             (int)getpid());
            if (n > 0 && write(fd, line, (size_t)n) < 0) {
            }
            close(fd);
        }
    }
    const char *delay = getenv("SYNC_DELAY_MS");
    if (delay) usleep((useconds_t)atoi(delay) * 1000);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    before_sync();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    before_sync();
    return real(fd);
}
