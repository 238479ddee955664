/* agent SOCKET STATE_DIR ERRNO NR...: a seccomp agent for the tests. It listens on
 * SOCKET; each connection brings one container process state with the listener fd
 * (SCM_RIGHTS), saved as STATE_DIR/state-N.json. Each notification for one of the
 * syscall numbers NR is answered with -ERRNO, any other with CONTINUE. Runs until killed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static void take_state(int lsock, const char *dir, int count, struct pollfd *fds, int *nfds) {
  int c = accept(lsock, NULL, NULL);
  if (c < 0) return;
  char buf[65536], control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {buf, sizeof buf - 1};
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(c, &msg, 0);
  close(c);
  if (n <= 0) return;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) return;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  char path[4096];
  snprintf(path, sizeof path, "%s/state-%d.json", dir, count);
  FILE *f = fopen(path, "w");
  if (f) {
    fwrite(buf, 1, (size_t)n, f);
    fclose(f);
  }
  if (*nfds < MAX_FDS) fds[(*nfds)++] = (struct pollfd){fd, POLLIN, 0};
}

static void answer(int fd, int err, int argc, char **argv) {
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset(&req, 0, sizeof req);
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;
  memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  for (int i = 4; i < argc; i++) {
    if (req.data.nr == atoi(argv[i])) {
      resp.flags = 0;
      resp.error = -err;
    }
  }
  ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  int lsock = socket(AF_UNIX, SOCK_STREAM, 0);
  if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lsock, 8) < 0) return perror("listen"), 1;
  struct pollfd fds[MAX_FDS + 1];
  int nfds = 1, count = 0;
  fds[0] = (struct pollfd){lsock, POLLIN, 0};
  for (;;) {
    if (poll(fds, (nfds_t)nfds, -1) < 0 && errno != EINTR) return 1;
    if (fds[0].revents & POLLIN) take_state(lsock, argv[2], count++, fds, &nfds);
    for (int i = 1; i < nfds; i++) {
      if (fds[i].revents & POLLIN) answer(fds[i].fd, atoi(argv[3]), argc, argv);
      if (fds[i].revents & (POLLHUP | POLLERR)) { /* every filtered process is gone */
        close(fds[i].fd);
        fds[i--] = fds[--nfds];
      }
    }
  }
}
