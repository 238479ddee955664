/* The container's terminal: a pty of the container's devpts whose master goes to the
 * caller over the console socket, whose slave becomes stdin/stdout/stderr and the
 * controlling terminal (and /dev/console of an init). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/fdpass.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static void send_master(int master, const char *pts_path) {
  if (runt_send_fd(FDS.console, master, pts_path, strlen(pts_path)) < 0) die("sendmsg", "console socket");
}

/* The slave bound over /dev/console, from descriptor to descriptor: neither a symlink
 * at /dev/console nor a fake /dev/pts or /proc can send the mount elsewhere (CVE-2025-52565). */
static void bind_console(int slave) {
  struct stat st;
  int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0 && errno != EEXIST && errno != ELOOP) die("open", "/dev/console");
  if (fd >= 0) close(fd);
  fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) die("open", "/dev/console");
  if (fstat(fd, &st) < 0) die("open", "/dev/console");
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) fail(ELOOP, "mount", "/dev/console (not a file or device)");
  bind_fd_over(slave, fd, "mount", "/dev/console");
  close(fd);
}

void setup_terminal(int mount_console) {
  if (!P.terminal) return;
  if (FDS.console < 0) fail(EINVAL, "terminal", "no console socket");
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) die("open", "/dev/pts/ptmx");
  int unlock = 0;
  unsigned int number;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) die("unlockpt", "/dev/pts/ptmx");
  if (ioctl(master, TIOCGPTN, &number) < 0) die("ptsname", "/dev/pts/ptmx");
  char pts_path[48] = "/dev/pts/";
  format_u64(pts_path + strlen(pts_path), number);
  /* the peer ioctl opens the slave of this very master, not whatever the path names */
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) die("open", pts_path);
  if (mount_console) bind_console(slave);
  if (P.has_console_size) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = (unsigned short)P.console_height;
    ws.ws_col = (unsigned short)P.console_width;
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0) die("set console size", pts_path);
  }
  send_master(master, pts_path);
  close(master);
  close(FDS.console);
  FDS.console = -1;
  if (ioctl(slave, TIOCSCTTY, 0) < 0) die("set controlling terminal", pts_path);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) die("dup2", pts_path);
  if (slave > 2) close(slave);
}
