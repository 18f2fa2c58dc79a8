/*
 * File-system paths worked out as text: absolute, normalised, relative to a directory.
 *
 * Lexical on purpose: symbolic links are not resolved, so a name that does not exist (the
 * --stdin-filename of standard input) has a place like any other, and the same spelling
 * always gives the same answer. Every function returns a string the caller frees, or NULL
 * when out of memory.
 */
#ifndef UTIL_FSPATH_H
#define UTIL_FSPATH_H

/* The path from the root: relative ones are taken from the working directory; "." and ".."
 * segments and repeated slashes are resolved. */
char *fspath_absolute(const char *path);
/* The directory holding an absolute, normalised path ("/" for "/" and for "/x"). */
char *fspath_parent(const char *abs);
/* dir + "/" + name, for an absolute dir. */
char *fspath_join(const char *dir, const char *name);
/* The way from directory `from` to `to`, both absolute and normalised: "a/b.yml",
 * "../c.yml", or "." when they are the same. */
char *fspath_relative(const char *from, const char *to);

#endif
