/*
 * iperf3-bounded: runs a program (iperf3) as its child so that the child cannot outlive its caller.
 *
 * Why: the runner starts `iperf3 -c` in a server pod through pods/exec. When a test times out or the run
 * is stopped, the runner closes the exec stream, but the container runtime keeps the exec'd process
 * running (kubernetes#89031): the orphan goes on sending from that node. Started through this helper with
 * the exec's stdin attached, the client is stopped as soon as the stream is gone.
 *
 * usage: iperf3-bounded --deadline SECONDS [--grace SECONDS] [--] PROGRAM [ARG...]
 *
 * The child runs PROGRAM with stdin from /dev/null and this helper's stdout and stderr, in its own process
 * group. The helper stops the group (SIGTERM, then SIGKILL after --grace seconds, default 2) when
 *   - its stdin reaches end-of-file or fails (the exec stream closed): exit 129;
 *   - it gets SIGTERM, SIGINT, SIGHUP or SIGQUIT: exit 128 + the signal;
 *   - --deadline seconds have passed: exit 124.
 * Otherwise it exits with the child's exit code (128 + the signal when the child was killed). Bad usage
 * exits 125, a PROGRAM that cannot be started 127 (not found) or 126. Whatever arrives on stdin is read and
 * dropped. If the helper itself is killed with SIGKILL, the child gets SIGKILL (PR_SET_PDEATHSIG).
 *
 * Linux only, one file, no dependencies beyond libc: the Dockerfile links it statically so that it runs in
 * the server image, which has no shell and no Node.js.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_DEADLINE 124
#define EXIT_USAGE 125
#define EXIT_STDIN_CLOSED 129

static const char *me = "iperf3-bounded";

static void usage(const char *why) {
  fprintf(stderr, "%s: %s\nusage: %s --deadline SECONDS [--grace SECONDS] [--] PROGRAM [ARG...]\n", me, why, me);
  exit(EXIT_USAGE);
}

static double seconds_arg(const char *flag, const char *value) {
  char *end = NULL;
  errno = 0;
  double v = strtod(value, &end);
  if (errno != 0 || end == value || *end != '\0' || !(v > 0) || v > 86400 * 365) {
    fprintf(stderr, "%s: %s must be a positive number of seconds, got \"%s\"\n", me, flag, value);
    exit(EXIT_USAGE);
  }
  return v;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int wait_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

/* Reaps the child if it has exited; returns 1 and sets *code then. */
static int reaped(pid_t child, int *code) {
  int status;
  pid_t r = waitpid(child, &status, WNOHANG);
  if (r == child) {
    *code = wait_code(status);
    return 1;
  }
  return 0;
}

/* Waits up to `seconds` for the child to exit (SIGCHLD on the signalfd); returns 1 once it has been reaped. */
static int wait_for(int sfd, pid_t child, double seconds, int *code) {
  double until = now() + seconds;
  for (;;) {
    if (reaped(child, code)) return 1;
    double left = until - now();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = sfd, .events = POLLIN};
    if (poll(&p, 1, (int)(left * 1000) + 1) > 0) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) < 0 && errno != EAGAIN && errno != EINTR) return 0;
    }
  }
}

int main(int argc, char **argv) {
  double deadline = 0, grace = 2;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "--deadline") == 0 || strcmp(argv[i], "--grace") == 0) {
      if (i + 1 >= argc) usage("a flag is missing its value");
      double v = seconds_arg(argv[i], argv[i + 1]);
      if (argv[i][2] == 'd') deadline = v; else grace = v;
      i++;
      continue;
    }
    if (argv[i][0] == '-') {
      fprintf(stderr, "%s: unknown flag %s\n", me, argv[i]);
      usage("see usage");
    }
    break;
  }
  if (deadline == 0) usage("--deadline is required");
  if (i >= argc) usage("PROGRAM is missing");

  sigset_t mask, old;
  sigemptyset(&mask);
  int watched[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT};
  for (size_t k = 0; k < sizeof watched / sizeof watched[0]; k++) sigaddset(&mask, watched[k]);
  if (sigprocmask(SIG_BLOCK, &mask, &old) != 0) { perror(me); return EXIT_USAGE; }
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) { perror(me); return EXIT_USAGE; }
  /* A closed stdout/stderr must not kill the helper before it has stopped the child. */
  signal(SIGPIPE, SIG_IGN);

  /* The child reports a failed exec through this close-on-exec pipe; end-of-file means it started. */
  int started[2];
  if (pipe2(started, O_CLOEXEC) != 0) { perror(me); return EXIT_USAGE; }
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) { perror(me); return EXIT_USAGE; }
  if (child == 0) {
    close(started[0]);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(128 + SIGKILL);
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) { dup2(nul, 0); if (nul != 0) close(nul); }
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[i], argv + i);
    int e = errno;
    ssize_t w = write(started[1], &e, sizeof e);
    (void)w;
    _exit(e == ENOENT ? 127 : 126);
  }
  setpgid(child, child); /* also here, so that the group exists before any kill below */
  close(started[1]);
  int exec_errno = 0;
  ssize_t got;
  do got = read(started[0], &exec_errno, sizeof exec_errno); while (got < 0 && errno == EINTR);
  close(started[0]);
  if (got == (ssize_t)sizeof exec_errno) {
    waitpid(child, NULL, 0);
    fprintf(stderr, "%s: cannot run %s: %s\n", me, argv[i], strerror(exec_errno));
    return exec_errno == ENOENT ? 127 : 126;
  }

  double end = now() + deadline;
  int code = 0;
  const char *reason = NULL;
  char why[64];
  for (;;) {
    if (reaped(child, &code)) return code;
    double left = end - now();
    if (left <= 0) {
      reason = "deadline reached";
      code = EXIT_DEADLINE;
      break;
    }
    struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
    int r = poll(p, 2, (int)(left * 1000) + 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      perror(me);
      reason = "poll failed";
      code = EXIT_USAGE;
      break;
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si && si.ssi_signo != SIGCHLD) {
        snprintf(why, sizeof why, "got signal %u", si.ssi_signo);
        reason = why;
        code = 128 + (int)si.ssi_signo;
        break;
      }
      continue; /* SIGCHLD: reaped at the top of the loop */
    }
    if (p[1].revents) {
      char buf[4096];
      ssize_t n = (p[1].revents & POLLNVAL) ? 0 : read(0, buf, sizeof buf);
      if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) continue;
      reason = "stdin closed";
      code = EXIT_STDIN_CLOSED;
      break;
    }
  }

  int ignored;
  kill(-child, SIGTERM);
  if (!wait_for(sfd, child, grace, &ignored)) {
    kill(-child, SIGKILL);
    waitpid(child, NULL, 0);
  }
  kill(-child, SIGKILL); /* anything the child left behind in its group */
  fprintf(stderr, "%s: %s after %.1f s: stopped %s (pid %d)\n", me, reason, deadline - (end - now()), argv[i], (int)child);
  return code;
}
