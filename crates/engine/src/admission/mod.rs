//! Defaulting and validation of API objects, as the apiserver does them before storing. (being written)
