#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* What exemplar_mhd_start passes to MHD beyond the address and the handler. */
struct exemplar_mhd_limits {
    unsigned int connection_timeout;    /* MHD_OPTION_CONNECTION_TIMEOUT, seconds of inactivity */
    unsigned int connection_limit;      /* MHD_OPTION_CONNECTION_LIMIT: MHD closes connections past it */
    unsigned int per_ip_limit;          /* MHD_OPTION_PER_IP_CONNECTION_LIMIT; 0: none */
    size_t memory_limit;                /* MHD_OPTION_CONNECTION_MEMORY_LIMIT: request line and headers */
};

/* MHD_start_daemon is variadic and does not import into Swift: this fixed-argument wrapper
   passes the options Exemplar uses. `host` is an IPv4 or IPv6 literal; NULL when it is not one
   or the daemon cannot start (port in use, ...). `uri_log` creates each request's state (its
   return value is the request's first *req_cls), `notify` counts connections, `unescape` leaves
   the URL as sent (the router decodes it). Every callback gets `cls`. */
static inline struct MHD_Daemon *exemplar_mhd_start(
    unsigned int flags, uint16_t port, const char *host,
    MHD_AccessHandlerCallback handler, void *cls,
    MHD_RequestCompletedCallback completed,
    void *(*uri_log)(void *, const char *, struct MHD_Connection *),
    MHD_NotifyConnectionCallback notify,
    size_t (*unescape)(void *, struct MHD_Connection *, char *),
    struct exemplar_mhd_limits limits) {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const struct sockaddr *addr;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        addr = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        addr = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }
    return MHD_start_daemon(flags, port, NULL, NULL, handler, cls,
                            MHD_OPTION_SOCK_ADDR, addr,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, cls,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_log, cls,
                            MHD_OPTION_NOTIFY_CONNECTION, notify, cls,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, cls,
                            MHD_OPTION_CONNECTION_TIMEOUT, limits.connection_timeout,
                            MHD_OPTION_CONNECTION_LIMIT, limits.connection_limit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.per_ip_limit,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits.memory_limit,
                            MHD_OPTION_END);
}

/* The port the daemon listens on (the one the system chose when started with port 0); 0 if unknown.
   MHD_get_daemon_info is variadic. */
static inline uint16_t exemplar_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* MHD_set_connection_option is variadic: sets one connection's inactivity timeout, in seconds. */
static inline void exemplar_mhd_set_timeout(struct MHD_Connection *connection, unsigned int seconds) {
    MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, seconds);
}
