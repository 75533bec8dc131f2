/*
 * replay - run a fuzz target's LLVMFuzzerTestOneInput over saved inputs
 * without libFuzzer, so the regression corpus runs with any C compiler
 * (`make check`, and under ASan/UBSan in `make sanitize`).
 *
 * usage: replay-TARGET [-v] file|dir ...
 * Every input runs in a child process of its own (a tool's static state
 * is fresh, as in a real run; a crash or a hang fails only that input),
 * with a time limit; what it writes on stderr is shown when it fails (or
 * with -v).  Exit 0 when every input passed, 1 otherwise.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIME_LIMIT	60	/* seconds per input (sanitizers are slow) */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((__weak__));

static int verbose, ninputs, nfailed;

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap * 2 + 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		if ((k = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return buf;
}

static void
run_one(const char *path, int argc, char **argv)
{
	unsigned char *data, *copy;
	char buf[4096];
	size_t len, k, shown = 0;
	FILE *err;
	pid_t pid;
	int st;

	ninputs++;
	fflush(NULL);
	if ((err = tmpfile()) == NULL) {
		perror("replay: tmpfile");
		exit(2);
	}
	if ((pid = fork()) == -1) {
		perror("replay: fork");
		exit(2);
	}
	if (pid == 0) {
		if (dup2(fileno(err), STDERR_FILENO) == -1)
			_exit(2);
		if ((data = slurp(path, &len)) == NULL) {
			fprintf(stderr, "replay: %s: %s\n", path,
			    strerror(errno));
			_exit(2);
		}
		/* An exact copy, so a read past the end is caught. */
		if ((copy = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(copy, data, len);
		free(data);
		alarm(TIME_LIMIT);
		if (LLVMFuzzerInitialize != NULL)
			LLVMFuzzerInitialize(&argc, &argv);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
		exit(0);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			perror("replay: waitpid");
			exit(2);
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		if (verbose) {
			fprintf(stderr, "ok %s\n", path);
			goto show;
		}
		fclose(err);
		return;
	}
	nfailed++;
	if (WIFSIGNALED(st))
		fprintf(stderr, "FAIL %s: %s%s\n", path,
		    strsignal(WTERMSIG(st)),
		    WTERMSIG(st) == SIGALRM ? " (time limit)" : "");
	else
		fprintf(stderr, "FAIL %s: exit %d\n", path, WEXITSTATUS(st));
show:
	rewind(err);
	while (shown < 65536 && (k = fread(buf, 1, sizeof(buf), err)) > 0) {
		fwrite(buf, 1, k, stderr);
		shown += k;
	}
	fclose(err);
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_path(const char *path, int argc, char **argv)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char **names = NULL, *p;
	size_t n = 0, i;

	if (stat(path, &sb) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(sb.st_mode)) {
		run_one(path, argc, argv);
		return;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) ==
		    NULL || (p = malloc(strlen(path) +
		    strlen(de->d_name) + 2)) == NULL)
			abort();
		sprintf(p, "%s/%s", path, de->d_name);
		names[n++] = p;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), namecmp);
	for (i = 0; i < n; i++) {
		run_one(names[i], argc, argv);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	int i = 1;

	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-v] file|dir ...\n", prog);
		return 2;
	}
	for (; i < argc; i++)
		run_path(argv[i], 1, argv);
	fprintf(stderr, "%s: %d inputs, %d failed\n", prog, ninputs,
	    nfailed);
	return nfailed > 0;
}
