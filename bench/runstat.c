/*
 * runstat - run one command and report what it cost, for bench/run.
 *
 * Runs the command (its stdin, stdout and stderr inherited), waits for
 * it with wait4(2) and appends one line to -o FILE (default stderr):
 *
 *	wall_s user_s sys_s maxrss_kib status
 *
 * wall from CLOCK_MONOTONIC (nanoseconds, unlike /usr/bin/time's 10 ms),
 * user and sys CPU of the command and every descendant it waited for (a
 * shell pipeline counts all its stages), maxrss the peak resident set
 * of the largest single process among them (Linux ru_maxrss), status
 * the exit status, or 128+N for a signal.  Exits with the command's
 * status so the driver sees failures; 127 when it cannot be run.
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void
usage(void)
{
	fprintf(stderr, "usage: runstat [-o file] command [arg ...]\n");
	exit(127);
}

int
main(int argc, char *argv[])
{
	struct timespec t0, t1;
	struct rusage ru;
	const char *out = NULL;
	FILE *fp = stderr;
	pid_t pid;
	int c, st, code;

	while ((c = getopt(argc, argv, "+o:")) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (out != NULL && (fp = fopen(out, "a")) == NULL) {
		fprintf(stderr, "runstat: %s: %s\n", out, strerror(errno));
		return 127;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		if (fp != stderr)
			fclose(fp);
		execvp(argv[0], argv);
		fprintf(stderr, "runstat: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "runstat: wait4: %s\n",
			    strerror(errno));
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(fp, "%.6f %.6f %.6f %ld %d\n",
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	    tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_maxrss, code);
	if (fclose(fp) != 0) {
		fprintf(stderr, "runstat: %s: %s\n", out ? out : "stderr",
		    strerror(errno));
		return 127;
	}
	return code;
}
