/* The floor of Nabla's kernel design on this machine: a C server with the same threads and
 * sockets (xeus-zmq's split model: the session thread owns shell and answers on it, the
 * publisher thread owns iopub and is fed over an inproc PAIR) that runs nothing, parses
 * nothing and signs nothing. bench/kernel.py measures its `1+1` round trip beside Nabla's with
 * the same client, so the table shows what the transport and the client cost by themselves.
 * Usage: kernel_floor CONNECTION_FILE (reads shell_port and iopub_port; binds 127.0.0.1). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static void *context;

static int port(const char *json, const char *key) {
    const char *p = strstr(json, key);
    return p && (p = strchr(p, ':')) ? atoi(p + 1) : 0;
}

static void frame(void *socket, const void *data, size_t size, int more) {
    zmq_send(socket, data, size, more ? ZMQ_SNDMORE : 0);
}

static void text(void *socket, const char *s, int more) { frame(socket, s, strlen(s), more); }

/* One message: [prefix frames…] <IDS|MSG> signature header parent metadata content. */
static void message(void *socket, const char *type, const char *parent, const char *content) {
    char header[256];
    snprintf(header, sizeof header,
             "{\"msg_id\":\"floor\",\"msg_type\":\"%s\",\"session\":\"floor\",\"username\":\"floor\","
             "\"date\":\"2026-01-01T00:00:00.000000Z\",\"version\":\"5.5\"}", type);
    text(socket, "<IDS|MSG>", 1);
    text(socket, "", 1);
    text(socket, header, 1);
    text(socket, parent, 1);
    text(socket, "{}", 1);
    text(socket, content, 0);
}

/* An iopub message, sent over the link to the publisher thread. */
static void publish(void *link, const char *type, const char *parent, const char *content) {
    text(link, type, 1);   /* the topic */
    message(link, type, parent, content);
}

static void *session(void *shell) {
    void *link = zmq_socket(context, ZMQ_PAIR);
    zmq_connect(link, "inproc://floor-link");
    for (;;) {
        zmq_msg_t parts[32], extra;
        int n = 0, more = 1;
        while (more) {   /* frames past the 32nd are read and dropped */
            zmq_msg_t *m = n < 32 ? &parts[n] : &extra;
            zmq_msg_init(m);
            if (zmq_msg_recv(m, shell, 0) < 0) return NULL;
            more = zmq_msg_more(m);
            if (n < 32) n++; else zmq_msg_close(m);
        }
        int d = 0;
        while (d < n && !(zmq_msg_size(&parts[d]) == 9 && !memcmp(zmq_msg_data(&parts[d]), "<IDS|MSG>", 9))) d++;
        if (d + 2 < n) {
            char parent[4096];
            size_t size = zmq_msg_size(&parts[d + 2]);
            if (size >= sizeof parent) size = sizeof parent - 1;
            memcpy(parent, zmq_msg_data(&parts[d + 2]), size);
            parent[size] = 0;
            int info = strstr(parent, "\"kernel_info_request\"") != NULL;
            publish(link, "status", parent, "{\"execution_state\":\"busy\"}");
            if (!info) {
                publish(link, "execute_input", parent, "{\"code\":\"1+1\",\"execution_count\":1}");
                publish(link, "execute_result", parent,
                        "{\"data\":{\"text/plain\":\"2\"},\"metadata\":{},\"execution_count\":1}");
            }
            for (int i = 0; i < d; i++) frame(shell, zmq_msg_data(&parts[i]), zmq_msg_size(&parts[i]), 1);
            message(shell, info ? "kernel_info_reply" : "execute_reply", parent,
                    info ? "{\"status\":\"ok\",\"protocol_version\":\"5.5\"}"
                         : "{\"status\":\"ok\",\"execution_count\":1,\"user_expressions\":{},\"payload\":[]}");
            publish(link, "status", parent, "{\"execution_state\":\"idle\"}");
        }
        for (int i = 0; i < n; i++) zmq_msg_close(&parts[i]);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: kernel_floor CONNECTION_FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    char json[8192];
    size_t size = fread(json, 1, sizeof json - 1, f);
    json[size] = 0;
    fclose(f);
    context = zmq_ctx_new();
    void *shell = zmq_socket(context, ZMQ_ROUTER), *iopub = zmq_socket(context, ZMQ_PUB);
    void *link = zmq_socket(context, ZMQ_PAIR);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port(json, "\"shell_port\""));
    if (zmq_bind(shell, endpoint)) { perror("shell"); return 1; }
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port(json, "\"iopub_port\""));
    if (zmq_bind(iopub, endpoint)) { perror("iopub"); return 1; }
    zmq_bind(link, "inproc://floor-link");
    pthread_t thread;
    pthread_create(&thread, NULL, session, shell);
    /* The publisher: everything from the link goes out on iopub, frame by frame, uncopied. */
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, link, 0) < 0) return 1;
        int more = zmq_msg_more(&m);
        zmq_msg_send(&m, iopub, more ? ZMQ_SNDMORE : 0);
    }
}
