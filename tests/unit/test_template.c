/* Go's text/template as docker's --format uses it: the examples of docker's
 * "Format command and log output" page and Go's own rules (pipelines,
 * variables, range/if/with/else, break/continue, trim markers, printf), and
 * Go's error messages. */
#include <json-c/json.h>
#include <stdlib.h>

#include "cli/format.h"
#include "unit.h"

/* an inspect-like object */
static const char data_json[] =
    "{\"Id\":\"4f1e8a\",\"Name\":\"/web\",\"State\":{\"Pid\":12,\"Status\":\"running\","
    "\"Running\":true,\"Ratio\":1.5},"
    "\"Config\":{\"Env\":[\"A=1\",\"B=2\"],\"Labels\":{\"com.example.vendor\":\"ACME\","
    "\"app\":\"web\"},\"Cmd\":null},"
    "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\"},"
    "\"front\":{\"IPAddress\":\"10.1.0.3\"}},"
    "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}]}},"
    "\"Mounts\":[],\"Size\":1000000.0}";

static struct json_object *data;

static char *render(const char *t)
{
    static char buf[4096];
    char *out = NULL;
    md_error_t *err = NULL;
    if (md_template_render(t, data, &out, &err) < 0) {
        snprintf(buf, sizeof(buf), "ERR %s", err->msg);
        md_error_free(&err);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s", out);
    free(out);
    return buf;
}

#define T(tmpl, want) CHECK_STR(render(tmpl), want)

static void docker_examples(void)
{
    /* docs.docker.com/engine/cli/formatting */
    T("{{join .Config.Env \" , \"}}", "A=1 , B=2");
    T("{{json .Config.Labels}}", "{\"com.example.vendor\":\"ACME\",\"app\":\"web\"}");
    T("{{lower .Name}}", "/web");
    T("{{upper .State.Status}}", "RUNNING");
    T("{{split .Name \"/\"}}", "[ web]");
    T("{{title .State.Status}}", "Running");
    T("{{pad .Id 1 2}}|", " 4f1e8a  |");
    T("{{truncate .Id 3}}", "4f1");
    T("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "172.17.0.2 10.1.0.3 ");
    T("{{index .Config.Labels \"com.example.vendor\"}}", "ACME");
    T("{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}", "8080");
    T("{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} -> {{(index $conf 0).HostPort}}{{end}}",
      "80/tcp -> 8080");
    T("{{.State.Pid}}", "12");
}

static void go_rules(void)
{
    T("{{.}}",
      "map[Config:map[Cmd:<nil> Env:[A=1 B=2] Labels:map[app:web com.example.vendor:ACME]] "
      "Id:4f1e8a Mounts:[] Name:/web NetworkSettings:map[Networks:map[bridge:map[IPAddress:"
      "172.17.0.2] front:map[IPAddress:10.1.0.3]] Ports:map[80/tcp:[map[HostIp:0.0.0.0 "
      "HostPort:8080]]]] Size:1e+06 State:map[Pid:12 Ratio:1.5 Running:true Status:running]]");
    T("{{.Missing}}|{{.Config.Cmd}}", "<no value>|<no value>");
    T("{{if .State.Running}}up{{else}}down{{end}}", "up");
    T("{{if eq .State.Status \"exited\" \"dead\"}}x{{else if eq .State.Status "
      "\"running\"}}r{{else}}o{{end}}",
      "r");
    T("{{with .Config.Labels.app}}app={{.}}{{end}}", "app=web");
    T("{{with .Config.Cmd}}cmd{{else}}none{{end}}", "none");
    T("{{range .Mounts}}m{{else}}no mounts{{end}}", "no mounts");
    T("{{range $i, $e := .Config.Env}}{{if $i}},{{end}}{{$i}}:{{$e}}{{end}}", "0:A=1,1:B=2");
    T("{{range .Config.Env}}{{if eq . \"A=1\"}}{{continue}}{{end}}{{.}}{{break}}{{end}}", "B=2");
    T("{{range 3}}{{.}}{{end}}", "012");
    T("{{$n := len .Config.Env}}{{if gt $n 1}}{{$n}} vars{{end}}", "2 vars");
    T("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2");
    T("{{range .Config.Env}}{{$.Name}}{{end}}", "/web/web");
    T("{{.Name | printf \"%q\"}}", "\"/web\"");
    T("{{.State.Pid | printf \"%05d\" | len}}", "5");
    T("{{- \" a \" -}}  \n {{/* a comment */}}  {{- .Id }}", " a 4f1e8a");
    T("{{and 1 0}} {{or 0 \"\" \"z\"}} {{not .Mounts}} {{and .State.Running .Name}}",
      "0 z true /web");
    T("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}} {{ne .Name \"/web\"}}",
      "true true true false false");
    T("{{slice .Id 1 3}} {{slice .Config.Env 1}} {{len .Config.Labels}}", "f1 [B=2] 2");
    T("{{print 1 2 \"a\" \"b\" 3}}|{{println \"x\" 1}}", "1 2ab3|x 1\n");
    T("{{1e6}} {{0.25}} {{123456.0}} {{-3}} {{0x1F}} {{'a'}} {{.State.Ratio}} {{.Size}}",
      "1e+06 0.25 123456 -3 31 97 1.5 1e+06");
    T("{{\"tab\\there\"}} {{`raw\\t`}}", "tab\there raw\t"); /* \t escape of docker's formatter */
    T("a\\tb\\nc", "a\tb\nc");
}

static void printf_verbs(void)
{
    T("{{printf \"%s|%v|%d|%5.2f|%-6s|%x|%X|%o|%b|%c|%t|%q\" .Id .Config.Env 42 .State.Ratio "
      "\"ab\" 255 255 8 5 65 true \"a\\\"b\"}}",
      "4f1e8a|[A=1 B=2]|42| 1.50|ab    |ff|FF|10|101|A|true|\"a\\\"b\"");
    T("{{printf \"%+d|%05d|%8.3s|%e|%g|%6.2v|%%\" 5 42 \"abcdef\" 1234.5 0.000001 3.14159}}",
      "+5|00042|     abc|1.234500e+03|1e-06|   3.1|%");
    T("{{printf \"%d\" \"x\"}} {{printf \"%s\" 5}} {{printf \"%s\"}} {{printf \"a\" 1}} {{printf "
      "\"%v\" nil}}",
      "%!d(string=x) %!s(int=5) %!s(MISSING) a%!(EXTRA int=1) <nil>");
    T("{{printf \"%x\" -255}} {{printf \"%x\" \"hi\"}} {{printf \"%*d\" 4 7}}", "-ff 6869    7");
}

static void go_errors(void)
{
    T("{{foo}}", "ERR template parsing error: template: :1: function \"foo\" not defined");
    T("{{if}}", "ERR template parsing error: template: :1: missing value for command");
    T("{{.Id", "ERR template parsing error: template: :1: unclosed action");
    T("x\n{{end}}", "ERR template parsing error: template: :2: unexpected {{end}}");
    T("{{else}}", "ERR template parsing error: template: :1: unexpected {{else}}");
    T("{{if 1}}", "ERR template parsing error: template: :1: unexpected EOF");
    T("{{$y}}", "ERR template parsing error: template: :1: undefined variable \"$y\"");
    T("{{(.Id}}", "ERR template parsing error: template: :1: unclosed left paren");
    T("{{\"x}}", "ERR template parsing error: template: :1: unterminated quoted string");
    T("{{break}}", "ERR template parsing error: template: :1: {{break}} outside {{range}}");
    T("{{nil}}", "ERR template parsing error: template: :1: nil is not a command");
    T("{{.State.Pid.X}}", "ERR template parsing error: template: :1:1: executing \"\" at "
                          "<.State.Pid.X>: can't evaluate field X in type int");
    T("{{.A.B}}", "ERR template parsing error: template: :1:1: executing \"\" at <.A.B>: nil "
                  "pointer evaluating interface {}.B");
    T("{{index .Config.Env 5}}",
      "ERR template parsing error: template: :1:1: executing \"\" at <index .Config.Env 5>: "
      "error calling index: index out of "
      "range: 5");
    T("{{len 1 2}}", "ERR template parsing error: template: :1:1: executing \"\" at <len 1 2>: "
                     "wrong number of args for "
                     "len: want 1 got 2");
    T("{{.Id 3}}", "ERR template parsing error: template: :1:1: executing \"\" at <.Id 3>: can't "
                   "give argument to non-function .Id");
    T("{{eq .Mounts 1}}", "ERR template parsing error: template: :1:1: executing \"\" at <eq "
                          ".Mounts 1>: error calling eq: "
                          "incompatible types for "
                          "comparison");
}

int main(void)
{
    data = json_tokener_parse(data_json);
    docker_examples();
    go_rules();
    printf_verbs();
    go_errors();
    json_object_put(data);
    return UNIT_END("template");
}
