//! Patches: JSON merge patch, JSON patch, strategic merge patch and kubectl apply's three-way merge. (being written)
