#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "image/store.h"

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct utsname u;
    uname(&u);
    printf("Client:\n"
           " Version:           %s\n"
           " API version:       mydocker/1 (OCI runtime-spec 1.2.0, image-spec 1.1.0)\n"
           " Built:             %s\n"
           " OS/Arch:           linux/%s\n"
           " json-c:            %s\n",
           MD_VERSION, __DATE__, strcmp(u.machine, "x86_64") == 0 ? "amd64" : u.machine,
           json_c_version());
    return 0;
}

int cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct utsname u;
    uname(&u);
    printf("Client:\n Version:    %s\n\nServer:\n"
           " Storage Driver: overlay2\n"
           " Docker Root Dir: %s\n"
           " Cgroup Driver: cgroupfs\n"
           " Cgroup Version: %s\n"
           " Runtimes: mydocker (built in)\n"
           " Default Runtime: mydocker\n"
           " Kernel Version: %s\n"
           " Operating System: Linux\n"
           " Architecture: %s\n",
           MD_VERSION, md_lib_root(), md_cgroup_version_name(), u.release, u.machine);
    return 0;
}
