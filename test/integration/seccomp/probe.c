/* probe NR[:ARG...] ...: makes each raw system call and prints one line for it,
 * "ret N" or "errno N". Built static by the seccomp tests and bound into containers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    long v[7] = {0};
    int n = 0;
    for (char *p = strtok(argv[i], ":"); p && n < 7; p = strtok(NULL, ":")) v[n++] = (long)strtoull(p, NULL, 0);
    errno = 0;
    long r = syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    if (r < 0) printf("errno %d\n", errno);
    else printf("ret %ld\n", r);
    fflush(stdout);
  }
  return 0;
}
