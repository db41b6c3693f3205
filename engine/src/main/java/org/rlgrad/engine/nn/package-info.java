/**
 * Neural-network modules: {@code Module} with named parameters and buffers, train/eval modes and a
 * functional call with a given parameter map (and, on it, ensembles evaluated by one vmap over
 * stacked parameters); the layers the losses need (Linear, MLP, LayerNorm,
 * BatchNorm1d, Dropout, Embedding, GRUCell, a causal transformer block), initialisers, and
 * state dicts saved to and loaded from safetensors files. Layers are built from Tensor ops, so
 * they run on every backend and differentiate without code of their own.
 */
package org.rlgrad.engine.nn;
