/* A raw ZeroMQ client in C for the `1+1` round trip: execute_request signed with HMAC-SHA256
 * (libsodium, which libzmq's CURVE already needs) sent on shell, timed until the kernel's
 * `idle` status for it arrives on iopub. Beside the pyzmq client in bench/kernel.py it shows
 * the kernel's latency without a Python client's own parsing in the figure.
 * Usage: kernel_client CONNECTION_FILE ROUND_TRIPS; prints each round trip in µs, one a line. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The string value of "key" in a flat JSON text, copied into out (empty when absent). */
static void field(const char *json, const char *key, char *out, size_t size) {
    out[0] = 0;
    const char *p = strstr(json, key);
    if (!p || !(p = strchr(p + strlen(key), ':'))) return;
    while (*++p == ' ') {}
    if (*p == '"') {
        const char *end = strchr(++p, '"');
        size_t n = end ? (size_t)(end - p) : 0;
        if (n >= size) n = size - 1;
        memcpy(out, p, n);
        out[n] = 0;
    } else {
        snprintf(out, size, "%d", atoi(p));
    }
}

static char key[256];

static void send_request(void *shell, const char *msg_id) {
    char header[512];
    snprintf(header, sizeof header,
             "{\"msg_id\":\"%s\",\"msg_type\":\"execute_request\",\"session\":\"c-client\",\"username\":\"bench\","
             "\"date\":\"2026-01-01T00:00:00.000000Z\",\"version\":\"5.5\"}", msg_id);
    const char *content = "{\"code\":\"1+1\",\"silent\":false,\"store_history\":false,\"user_expressions\":{},\"allow_stdin\":false}";
    const char *parts[4] = {header, "{}", "{}", content};
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, (const unsigned char *)key, strlen(key));
    for (int i = 0; i < 4; i++) crypto_auth_hmacsha256_update(&state, (const unsigned char *)parts[i], strlen(parts[i]));
    crypto_auth_hmacsha256_final(&state, mac);
    char hex[2 * sizeof mac + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    zmq_send(shell, "<IDS|MSG>", 9, ZMQ_SNDMORE);
    zmq_send(shell, strlen(key) ? hex : "", strlen(key) ? strlen(hex) : 0, ZMQ_SNDMORE);
    for (int i = 0; i < 4; i++) zmq_send(shell, parts[i], strlen(parts[i]), i < 3 ? ZMQ_SNDMORE : 0);
}

/* Reads iopub until the idle status answering msg_id; the seconds it took, or -1 on timeout. */
static double await_idle(void *iopub, const char *msg_id, double t0, int timeout_ms) {
    for (;;) {
        zmq_pollitem_t item = {iopub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, timeout_ms) <= 0) return -1;
        char frames[8][2048];
        int n = 0, more = 1, delimiter = -1;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            zmq_msg_recv(&m, iopub, 0);
            if (n < 8) {
                size_t size = zmq_msg_size(&m) < 2047 ? zmq_msg_size(&m) : 2047;
                memcpy(frames[n], zmq_msg_data(&m), size);
                frames[n][size] = 0;
                if (delimiter < 0 && size == 9 && !memcmp(frames[n], "<IDS|MSG>", 9)) delimiter = n;
                n++;
            }
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        if (delimiter < 0 || delimiter + 5 >= n) continue;
        char type[64], parent[128], state[32];
        field(frames[delimiter + 2], "\"msg_type\"", type, sizeof type);
        field(frames[delimiter + 3], "\"msg_id\"", parent, sizeof parent);
        field(frames[delimiter + 5], "\"execution_state\"", state, sizeof state);
        if (!strcmp(type, "status") && !strcmp(state, "idle") && !strcmp(parent, msg_id)) return now() - t0;
    }
}

int main(int argc, char **argv) {
    if (argc != 3 || sodium_init() < 0) { fprintf(stderr, "usage: kernel_client CONNECTION_FILE ROUND_TRIPS\n"); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    char json[8192], port[32], ip[64], endpoint[128];
    size_t size = fread(json, 1, sizeof json - 1, f);
    json[size] = 0;
    fclose(f);
    field(json, "\"key\"", key, sizeof key);
    field(json, "\"ip\"", ip, sizeof ip);
    void *context = zmq_ctx_new();
    void *shell = zmq_socket(context, ZMQ_DEALER), *iopub = zmq_socket(context, ZMQ_SUB);
    field(json, "\"shell_port\"", port, sizeof port);
    snprintf(endpoint, sizeof endpoint, "tcp://%s:%s", ip, port);
    zmq_connect(shell, endpoint);
    field(json, "\"iopub_port\"", port, sizeof port);
    snprintf(endpoint, sizeof endpoint, "tcp://%s:%s", ip, port);
    zmq_setsockopt(iopub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect(iopub, endpoint);
    int trips = atoi(argv[2]);
    char msg_id[64];
    /* Until the subscription is live (a late one misses messages), then 20 to warm up. */
    for (int i = 0, live = 0; i < 20 || !live; i++) {
        snprintf(msg_id, sizeof msg_id, "warm-%d-%d", (int)getpid(), i);
        send_request(shell, msg_id);
        live |= await_idle(iopub, msg_id, now(), 500) >= 0;
        if (i > 200) { fprintf(stderr, "no idle from the kernel\n"); return 1; }
    }
    for (int i = 0; i < trips; i++) {
        snprintf(msg_id, sizeof msg_id, "trip-%d-%d", (int)getpid(), i);
        double t0 = now();
        send_request(shell, msg_id);
        double dt = await_idle(iopub, msg_id, t0, 10000);
        if (dt < 0) { fprintf(stderr, "no idle for %s\n", msg_id); return 1; }
        printf("%.1f\n", dt * 1e6);
        zmq_pollitem_t item = {shell, 0, ZMQ_POLLIN, 0};
        while (zmq_poll(&item, 1, 0) > 0) {   /* the execute_reply, read outside the timing */
            int more = 1;
            while (more) {
                zmq_msg_t m;
                zmq_msg_init(&m);
                zmq_msg_recv(&m, shell, 0);
                more = zmq_msg_more(&m);
                zmq_msg_close(&m);
            }
        }
    }
    zmq_close(shell);
    zmq_close(iopub);
    zmq_ctx_destroy(context);
    return 0;
}
