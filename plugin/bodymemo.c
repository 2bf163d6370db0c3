/*
 * Parsed request bodies kept for their responses (bodymemo.h). A small
 * ring searched linearly: it holds the requests in flight, a handful.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rolegate/bodymemo.h"

struct entry {
	char *user, *method, *uri;
	unsigned char *body;      /* a copy of the bytes: the key, compared whole */
	size_t body_len;
	json_t *json;             /* a reference to the request's parse; NULL = free slot */
};

struct rg_bodymemo {
	pthread_mutex_t lock;
	struct entry e[RG_BODYMEMO_ENTRIES];
	size_t next;              /* the slot the next put takes: the oldest */
};

static void entry_clear(struct entry *e)
{
	free(e->user);
	free(e->method);
	free(e->uri);
	free(e->body);
	json_decref(e->json);
	memset(e, 0, sizeof(*e));
}

struct rg_bodymemo *rg_bodymemo_new(void)
{
	struct rg_bodymemo *m = calloc(1, sizeof(*m));

	if (m != NULL)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void rg_bodymemo_free(struct rg_bodymemo *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < RG_BODYMEMO_ENTRIES; i++)
		entry_clear(&m->e[i]);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

void rg_bodymemo_put(struct rg_bodymemo *m, const struct rg_request *req)
{
	struct entry n = { 0 }, old;

	if (m == NULL || req->body_state != RG_BODY_PARSED || req->body_json == NULL ||
	    req->body_len > RG_BODYMEMO_BODY_MAX)
		return;
	/* copies made outside the lock; out of memory just means no memo */
	n.user = dup_or_empty(req->user);
	n.method = dup_or_empty(req->method);
	n.uri = dup_or_empty(req->uri);
	n.body = malloc(req->body_len + 1);
	if (n.user == NULL || n.method == NULL || n.uri == NULL || n.body == NULL) {
		entry_clear(&n);
		return;
	}
	memcpy(n.body, req->body, req->body_len);
	n.body_len = req->body_len;
	n.json = json_incref(req->body_json);
	pthread_mutex_lock(&m->lock);
	old = m->e[m->next];
	m->e[m->next] = n;
	m->next = (m->next + 1) % RG_BODYMEMO_ENTRIES;
	pthread_mutex_unlock(&m->lock);
	entry_clear(&old);
}

static bool same(const struct entry *e, const struct rg_request *req)
{
	return e->json != NULL && e->body_len == req->body_len &&
		memcmp(e->body, req->body, req->body_len) == 0 &&
		strcmp(e->uri, req->uri != NULL ? req->uri : "") == 0 &&
		strcmp(e->method, req->method != NULL ? req->method : "") == 0 &&
		strcmp(e->user, req->user != NULL ? req->user : "") == 0;
}

bool rg_bodymemo_take(struct rg_bodymemo *m, struct rg_request *req)
{
	struct entry found = { 0 };
	bool adopted;

	if (m == NULL || req->body_state != RG_BODY_RAW || req->body == NULL)
		return false;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < RG_BODYMEMO_ENTRIES; i++) {
		if (same(&m->e[i], req)) {
			found = m->e[i];
			memset(&m->e[i], 0, sizeof(m->e[i]));
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	adopted = found.json != NULL && rg_request_adopt_body(req, found.json) == 0;
	entry_clear(&found);
	return adopted;
}
