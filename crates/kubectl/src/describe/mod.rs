//! kubectl describe: one layout per kind, as real kubectl prints it. (being written)
