package io.ringhook.webhook;

/**
 * A complete HTTP response as far as the webhook contract cares: status, the two headers that make
 * failure details useful, and the (bounded) body.
 */
record Response(int status, String contentType, String location, byte[] body, boolean keepAlive) {}
