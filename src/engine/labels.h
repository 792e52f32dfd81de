/* Labels as docker stores them: a JSON object of strings (also the form of
 * docker's other "k=v" maps: Sysctls, Annotations). */
#ifndef MD_ENGINE_LABELS_H
#define MD_ENGINE_LABELS_H

struct json_object;

/* base's labels (may be NULL: an image without any), then "k=v" / "k" (value
 * "") from labels, a later key replacing an earlier one. A new object. */
struct json_object *md_labels_json(struct json_object *base, char *const *labels);

#endif
