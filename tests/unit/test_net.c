/* The pure parts of src/net: -p parsing, CIDR parsing, the hosts file
 * sections, IPAM allocation on an in-memory network, and the run flags. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/run_opts.h"
#include "net/hosts.h"
#include "net/ports.h"
#include "net/store.h"
#include "unit.h"
#include "util/fs.h"

static md_error_t *err;

/* the bindings of one -p value, as "KEY=IP:PORT;..." */
static char *publish(const char *spec)
{
    struct json_object *b = json_object_new_object(), *e = json_object_new_object();
    md_error_free(&err);
    if (md_ports_parse(spec, b, e, &err) < 0) {
        json_object_put(b), json_object_put(e);
        return NULL;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    json_object_object_foreach(b, key, arr)
    {
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            struct json_object *x = json_object_array_get_idx(arr, i), *ip, *hp;
            json_object_object_get_ex(x, "HostIp", &ip);
            json_object_object_get_ex(x, "HostPort", &hp);
            fprintf(f, "%s=%s:%s;", key, json_object_get_string(ip), json_object_get_string(hp));
        }
    }
    fclose(f);
    json_object_put(b), json_object_put(e);
    return out;
}

static void test_publish(void)
{
    char *s;
    s = publish("80");
    CHECK_STR(s, "80/tcp=:;");
    free(s);
    s = publish("8080:80");
    CHECK_STR(s, "80/tcp=:8080;");
    free(s);
    s = publish("127.0.0.1:8080:80/udp");
    CHECK_STR(s, "80/udp=127.0.0.1:8080;");
    free(s);
    s = publish("127.0.0.1::80");
    CHECK_STR(s, "80/tcp=127.0.0.1:;");
    free(s);
    s = publish("8000-8001:80-81");
    CHECK_STR(s, "80/tcp=:8000;81/tcp=:8001;");
    free(s);
    s = publish("8000-8010:80");
    CHECK_STR(s, "80/tcp=:8000-8010;");
    free(s);
    CHECK(publish("8000-8002:80-81") == NULL);
    CHECK(publish("0:80") == NULL);
    CHECK(publish("70000") == NULL);
    CHECK(publish("80/sctp") == NULL);
    CHECK(publish("1.2.3:80:80") == NULL);
    CHECK(publish("[::1]:80:80") == NULL);
    CHECK(publish("abc") == NULL);
}

static void test_cidr(void)
{
    uint32_t a;
    int p;
    CHECK_INT(md_cidr_parse("10.1.2.0/24", &a, &p), 0);
    CHECK_INT(p, 24);
    CHECK_INT(ntohl(a), 0x0a010200);
    CHECK_INT(md_cidr_parse("10.1.2.3", &a, &p), 0);
    CHECK_INT(p, 32);
    CHECK(md_cidr_parse("10.1.2.0/33", &a, &p) < 0);
    CHECK(md_cidr_parse("10.1.2/24", &a, &p) < 0);
    CHECK(md_cidr_parse("x/8", &a, &p) < 0);
}

static void test_hosts_sections(void)
{
    char path[] = "/tmp/md-unit-hosts.XXXXXX";
    int fd = mkstemp(path);
    const char *base = "127.0.0.1\tlocalhost\n";
    CHECK(write(fd, base, strlen(base)) == (ssize_t)strlen(base));
    close(fd);
    char *text = NULL;
    CHECK_INT(md_hosts_set_section(path, "a", "10.0.0.2\tx\n", &err), 0);
    CHECK_INT(md_hosts_set_section(path, "b", "10.1.0.2\ty\n", &err), 0);
    CHECK_INT(md_hosts_set_section(path, "a", "10.0.0.2\tx\n10.0.0.3\tz\n", &err), 0);
    md_read_file(path, &text, NULL, &err);
    CHECK_STR(text, "127.0.0.1\tlocalhost\n# mydocker network b\n10.1.0.2\ty\n# end b\n"
                    "# mydocker network a\n10.0.0.2\tx\n10.0.0.3\tz\n# end a\n");
    free(text);
    CHECK_INT(md_hosts_set_section(path, "a", NULL, &err), 0);
    CHECK_INT(md_hosts_set_section(path, "b", NULL, &err), 0);
    md_read_file(path, &text, NULL, &err);
    CHECK_STR(text, base);
    free(text);
    unlink(path);
    CHECK_INT(md_hosts_set_section("/nonexistent/hosts", "a", "x\n", &err), 0); /* gone: fine */
}

static void test_ipam(void)
{
    char dir[] = "/tmp/md-unit-net.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    setenv("MYDOCKER_NET_ROOT", dir, 1);
    struct md_network n = {.name = "t", .prefix = 29};
    md_cidr_parse("10.9.0.0", &n.subnet, &(int){0});
    md_cidr_parse("10.9.0.1", &n.gateway, &(int){0});
    CHECK_INT(md_ipam_load(&n, &err), 0);
    uint32_t ip, want;
    char *s;
    /* /29: .0 network, .1 gateway, .7 broadcast: .2-.6 usable */
    for (int i = 2; i <= 6; i++) {
        char id[8];
        snprintf(id, sizeof(id), "c%d", i);
        CHECK_INT(md_ipam_lease(&n, id, 0, NULL, &ip, &err), 0);
        char wanted[16];
        snprintf(wanted, sizeof(wanted), "10.9.0.%d", i);
        s = md_ip_str(ip);
        CHECK_STR(s, wanted);
        free(s);
    }
    CHECK(md_ipam_lease(&n, "c7", 0, NULL, &ip, &err) < 0);
    md_error_free(&err);
    CHECK_INT(md_ipam_release(&n, "c3"), 1);
    CHECK_INT(md_ipam_release(&n, "c3"), 0);
    CHECK_INT(md_ipam_lease(&n, "c8", 0, NULL, &ip, &err), 0);
    s = md_ip_str(ip);
    CHECK_STR(s, "10.9.0.3");
    free(s); /* the lowest free one again */
    md_cidr_parse("10.9.0.4", &want, &(int){0});
    CHECK(md_ipam_lease(&n, "c9", want, NULL, &ip, &err) < 0); /* taken */
    md_error_free(&err);
    md_cidr_parse("10.9.0.1", &want, &(int){0});
    CHECK(md_ipam_lease(&n, "c9", want, NULL, &ip, &err) < 0); /* the gateway */
    md_error_free(&err);
    md_cidr_parse("10.9.1.4", &want, &(int){0});
    CHECK(md_ipam_lease(&n, "c9", want, NULL, &ip, &err) < 0); /* another subnet */
    md_error_free(&err);
    CHECK_INT(md_ipam_count(&n), 5);
    json_object_put(n.ipam);
    md_rm_rf(dir, &err);
    unsetenv("MYDOCKER_NET_ROOT");
}

static void test_flags(void)
{
    const char *args[] = {"run",
                          "-p",
                          "80",
                          "-P",
                          "--ip",
                          "10.0.0.5",
                          "--mac-address",
                          "02:42:0a:00:00:05",
                          "--dns",
                          "1.1.1.1",
                          "--add-host",
                          "db:10.0.0.9",
                          "--network-alias",
                          "web",
                          "--dns-search",
                          "example.org",
                          "busybox",
                          NULL};
    char *argv[32];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = strdup(args[argc]);
    argv[argc] = NULL;
    struct md_run_opts o;
    CHECK_INT(md_run_opts_parse(argc, argv, &o, &err), 0);
    CHECK_STR(o.net.publish ? o.net.publish[0] : NULL, "80");
    CHECK_INT(o.net.publish_all, 1);
    CHECK_STR(o.net.ip, "10.0.0.5");
    CHECK_STR(o.net.mac, "02:42:0a:00:00:05");
    CHECK_STR(o.net.dns ? o.net.dns[0] : NULL, "1.1.1.1");
    CHECK_STR(o.net.add_hosts ? o.net.add_hosts[0] : NULL, "db:10.0.0.9");
    CHECK_STR(o.net.aliases ? o.net.aliases[0] : NULL, "web");
    CHECK_STR(o.net.dns_search ? o.net.dns_search[0] : NULL, "example.org");
    md_run_opts_free(&o);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    const char *bad[][4] = {{"run", "--ip", "10.0.0", "busybox"},
                            {"run", "--mac-address", "02:42", "busybox"},
                            {"run", "--dns", "nope", "busybox"},
                            {"run", "--add-host", "db", "busybox"}};
    for (size_t i = 0; i < 4; i++) {
        char *v[5];
        for (int k = 0; k < 4; k++)
            v[k] = strdup(bad[i][k]);
        v[4] = NULL;
        md_error_free(&err);
        CHECK(md_run_opts_parse(4, v, &o, &err) < 0);
        md_run_opts_free(&o);
        for (int k = 0; k < 4; k++)
            free(v[k]);
    }
    md_error_free(&err);
}

int main(void)
{
    test_publish();
    test_cidr();
    test_hosts_sections();
    test_ipam();
    test_flags();
    md_error_free(&err);
    return UNIT_END("net");
}
