/*
 * The bench's stand-in for a container runtime's caller (containerd's shim, conmon):
 * a child subreaper that runs the driver as its child and reaps every process that is
 * orphaned beneath it as soon as it exits, so a runtime's `delete` never waits for
 * pid 1 to reap a container's dead init (on this VM pid 1 reaps about once a second,
 * and a v1 cgroup cannot be removed while its dead init is unreaped).
 * Exits with the driver's status once the driver is gone; orphans still alive then
 * are left to pid 1.   Usage: subreaper PROGRAM [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: subreaper PROGRAM [ARG...]\n");
		return 125;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		perror("subreaper: prctl(PR_SET_CHILD_SUBREAPER)");
		return 125;
	}
	pid_t driver = fork();
	if (driver < 0) {
		perror("subreaper: fork");
		return 125;
	}
	if (driver == 0) {
		execvp(argv[1], argv + 1);
		perror("subreaper: exec");
		_exit(127);
	}
	for (;;) {
		int status;
		pid_t pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("subreaper: wait");
			return 125;
		}
		if (pid != driver)
			continue; /* an orphan, reaped */
		int other;
		while (waitpid(-1, &other, WNOHANG) > 0)
			; /* what else has exited by now */
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}
