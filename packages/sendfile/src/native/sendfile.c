// Zero-copy file → socket transfers for Node, with sendfile(2) on a thread of their own.
//
// Node has no sendfile: every byte of a file body is read into a JavaScript buffer on the libuv thread pool,
// then copied again into the socket. This addon hands the kernel the file and the socket instead.
//
// Each transfer runs on its own small detached thread (not the libuv pool, which a slow client would otherwise
// hold for minutes, starving file and LevelDB work). The thread owns duplicates of both descriptors, so the
// transfer stays safe if Node closes its socket meanwhile: the duplicate keeps the descriptor number from being
// reused under it. The socket is non-blocking (libuv made it so); on EAGAIN the thread polls for writability in
// short slices, so a cancel is seen within a slice and a client that reads nothing for `stall_ms` ends the
// transfer with ETIMEDOUT. Completion is reported on the JavaScript thread through a thread-safe function.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

#define POLL_SLICE_MS 100
#define MAX_CALL_BYTES ((size_t)1 << 30)
#define THREAD_STACK_BYTES ((size_t)256 * 1024)
#define ERR_EOF (-1) /* the file ended before `length` bytes */

typedef struct {
  int sock;
  int file;
  off_t offset;
  uint64_t remaining;
  uint64_t sent;
  int64_t stall_ms;
  int err; /* 0, an errno value, or ERR_EOF */
  atomic_int cancelled;
  atomic_int refs; /* the JavaScript handle and the thread */
  napi_threadsafe_function done;
} transfer_t;

static void transfer_release(transfer_t *t) {
  if (atomic_fetch_sub(&t->refs, 1) == 1) free(t);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** Waits until the socket can take more bytes. Returns 0, or an errno value (ETIMEDOUT, ECANCELED, …). */
static int wait_writable(transfer_t *t) {
  int64_t deadline = now_ms() + t->stall_ms;
  for (;;) {
    if (atomic_load(&t->cancelled)) return ECANCELED;
    struct pollfd p = {.fd = t->sock, .events = POLLOUT, .revents = 0};
    int r = poll(&p, 1, POLL_SLICE_MS);
    if (r > 0) return 0; /* writable, or an error sendfile will name */
    if (r < 0 && errno != EINTR) return errno;
    if (now_ms() >= deadline) return ETIMEDOUT;
  }
}

static void *transfer_run(void *arg) {
  transfer_t *t = arg;
  while (t->remaining > 0) {
    if (atomic_load(&t->cancelled)) {
      t->err = ECANCELED;
      break;
    }
    size_t want = t->remaining > MAX_CALL_BYTES ? MAX_CALL_BYTES : (size_t)t->remaining;
    ssize_t n = sendfile(t->sock, t->file, &t->offset, want);
    if (n > 0) {
      t->remaining -= (uint64_t)n;
      t->sent += (uint64_t)n;
      continue;
    }
    if (n == 0) {
      t->err = ERR_EOF;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      int waited = wait_writable(t);
      if (waited != 0) {
        t->err = waited;
        break;
      }
      continue;
    }
    t->err = errno;
    break;
  }
  close(t->sock);
  close(t->file);
  napi_threadsafe_function done = t->done;
  napi_call_threadsafe_function(done, t, napi_tsfn_blocking);
  napi_release_threadsafe_function(done, napi_tsfn_release);
  return NULL;
}

static const char *error_code(int err) {
  if (err == ERR_EOF) return "EOF";
  const char *name = strerrorname_np(err);
  return name ? name : "EIO";
}

/** Runs on the JavaScript thread: callback(errorCode | null, bytesSent). */
static void transfer_finished(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  transfer_t *t = data;
  if (env != NULL && callback != NULL) {
    napi_value argv[2];
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    if (t->err == 0) napi_get_null(env, &argv[0]);
    else napi_create_string_utf8(env, error_code(t->err), NAPI_AUTO_LENGTH, &argv[0]);
    napi_create_double(env, (double)t->sent, &argv[1]);
    napi_call_function(env, undefined, callback, 2, argv, NULL);
  }
  transfer_release(t);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  transfer_release(data);
}

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static int get_int64(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/** start(socketFd, fileFd, offset, length, stallMs, callback) → handle */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 6) return throw_error(env, "ERR_INVALID_ARG", "start(socketFd, fileFd, offset, length, stallMs, callback)");
  int64_t sock, file, offset, length, stall_ms;
  if (!get_int64(env, argv[0], &sock) || !get_int64(env, argv[1], &file) || !get_int64(env, argv[2], &offset) ||
      !get_int64(env, argv[3], &length) || !get_int64(env, argv[4], &stall_ms)) {
    return throw_error(env, "ERR_INVALID_ARG", "descriptors, offset, length and stallMs must be numbers");
  }
  if (sock < 0 || file < 0 || offset < 0 || length < 0 || stall_ms <= 0) {
    return throw_error(env, "ERR_INVALID_ARG", "descriptors, offset and length must be >= 0, stallMs > 0");
  }
  transfer_t *t = calloc(1, sizeof *t);
  if (!t) return throw_error(env, "ENOMEM", "out of memory");
  t->sock = fcntl((int)sock, F_DUPFD_CLOEXEC, 0);
  t->file = fcntl((int)file, F_DUPFD_CLOEXEC, 0);
  if (t->sock < 0 || t->file < 0) {
    int err = errno;
    if (t->sock >= 0) close(t->sock);
    if (t->file >= 0) close(t->file);
    free(t);
    return throw_error(env, error_code(err), "cannot duplicate a descriptor");
  }
  t->offset = (off_t)offset;
  t->remaining = (uint64_t)length;
  t->stall_ms = stall_ms;
  atomic_init(&t->cancelled, 0);
  atomic_init(&t->refs, 2);

  napi_value name;
  napi_create_string_utf8(env, "everlock-sendfile", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[5], NULL, name, 0, 1, NULL, NULL, NULL, transfer_finished, &t->done) != napi_ok) {
    close(t->sock);
    close(t->file);
    free(t);
    return NULL; /* the call left a pending exception */
  }
  napi_value handle;
  if (napi_create_external(env, t, handle_finalize, NULL, &handle) != napi_ok) {
    napi_release_threadsafe_function(t->done, napi_tsfn_abort);
    close(t->sock);
    close(t->file);
    free(t);
    return NULL;
  }

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, THREAD_STACK_BYTES);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, transfer_run, t);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    /* The handle's finalizer still holds one reference; drop the thread's. */
    napi_release_threadsafe_function(t->done, napi_tsfn_abort);
    close(t->sock);
    close(t->file);
    transfer_release(t);
    return throw_error(env, error_code(rc), "cannot start a transfer thread");
  }
  return handle;
}

/** cancel(handle): the transfer stops within one poll slice and reports ECANCELED (unless already done). */
static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *data = NULL;
  if (argc != 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    return throw_error(env, "ERR_INVALID_ARG", "cancel(handle)");
  }
  atomic_store(&((transfer_t *)data)->cancelled, 1);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default_jsproperty, NULL},
      {"cancel", NULL, cancel, NULL, NULL, NULL, napi_default_jsproperty, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
