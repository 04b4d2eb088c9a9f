"""Writes the expected state_dict listing of llava-hf/llava-onevision-qwen2-0.5b-ov-hf.

Written by hand from the published config and modelling code, independently of our C# modules, so the
approval test compares two separate readings of the same checkpoint layout:
- transformers convert_llava_onevision_weights_to_hf.py: SigLIP so400m (hidden 1152, MLP 4304, 16 heads,
  patch 14, 384 px) with 26 layers ("drop the last layer") and vision_use_head=False; text model
  Qwen/Qwen2-0.5B-Instruct; vocabulary resized from 151936 by 2 tokens (<image>, <video>) padded to a
  multiple of 64 = 152000; use_image_newline_parameter=True; key renames model.mm_projector.0/2 ->
  multi_modal_projector.linear_1/2, model.image_newline -> image_newline, model.* -> language_model.model.*.
- Qwen2-0.5B-Instruct config: hidden 896, intermediate 4864, 24 layers, 14 heads, 2 key/value heads
  (head_dim 64), tie_word_embeddings=true, so save_pretrained stores no language_model.lm_head.weight.
- modeling_siglip.py: embeddings.patch_embedding (Conv2d, bias), embeddings.position_embedding
  (729 positions; position_ids is a non-persistent buffer), encoder.layers.N.{self_attn.{k,v,q,out}_proj,
  layer_norm1, mlp.fc1, mlp.fc2, layer_norm2}, post_layernorm.
- modeling_qwen2.py: q/k/v_proj with bias, o_proj without; mlp gate/up/down_proj without bias;
  input_layernorm and post_attention_layernorm (RMSNorm weight only); rotary inv_freq is non-persistent.
Run: python3 llava_onevision_qwen2_0_5b_keys.py > llava_onevision_qwen2_0_5b.approved.txt
"""

V_HIDDEN, V_MLP, V_LAYERS, PATCH, IMAGE, CHANNELS = 1152, 4304, 26, 14, 384, 3
T_HIDDEN, T_MLP, T_LAYERS, HEADS, KV_HEADS, VOCAB = 896, 4864, 24, 14, 2, 152000
HEAD_DIM = T_HIDDEN // HEADS

keys = {}
v = "vision_tower.vision_model."
keys[v + "embeddings.patch_embedding.weight"] = [V_HIDDEN, CHANNELS, PATCH, PATCH]
keys[v + "embeddings.patch_embedding.bias"] = [V_HIDDEN]
keys[v + "embeddings.position_embedding.weight"] = [(IMAGE // PATCH) ** 2, V_HIDDEN]
for i in range(V_LAYERS):
    p = f"{v}encoder.layers.{i}."
    for proj in ("k_proj", "v_proj", "q_proj", "out_proj"):
        keys[p + f"self_attn.{proj}.weight"] = [V_HIDDEN, V_HIDDEN]
        keys[p + f"self_attn.{proj}.bias"] = [V_HIDDEN]
    for norm in ("layer_norm1", "layer_norm2"):
        keys[p + f"{norm}.weight"] = [V_HIDDEN]
        keys[p + f"{norm}.bias"] = [V_HIDDEN]
    keys[p + "mlp.fc1.weight"] = [V_MLP, V_HIDDEN]
    keys[p + "mlp.fc1.bias"] = [V_MLP]
    keys[p + "mlp.fc2.weight"] = [V_HIDDEN, V_MLP]
    keys[p + "mlp.fc2.bias"] = [V_HIDDEN]
keys[v + "post_layernorm.weight"] = [V_HIDDEN]
keys[v + "post_layernorm.bias"] = [V_HIDDEN]

keys["multi_modal_projector.linear_1.weight"] = [T_HIDDEN, V_HIDDEN]
keys["multi_modal_projector.linear_1.bias"] = [T_HIDDEN]
keys["multi_modal_projector.linear_2.weight"] = [T_HIDDEN, T_HIDDEN]
keys["multi_modal_projector.linear_2.bias"] = [T_HIDDEN]
keys["image_newline"] = [T_HIDDEN]

t = "language_model.model."
keys[t + "embed_tokens.weight"] = [VOCAB, T_HIDDEN]
for i in range(T_LAYERS):
    p = f"{t}layers.{i}."
    keys[p + "self_attn.q_proj.weight"] = [HEADS * HEAD_DIM, T_HIDDEN]
    keys[p + "self_attn.q_proj.bias"] = [HEADS * HEAD_DIM]
    keys[p + "self_attn.k_proj.weight"] = [KV_HEADS * HEAD_DIM, T_HIDDEN]
    keys[p + "self_attn.k_proj.bias"] = [KV_HEADS * HEAD_DIM]
    keys[p + "self_attn.v_proj.weight"] = [KV_HEADS * HEAD_DIM, T_HIDDEN]
    keys[p + "self_attn.v_proj.bias"] = [KV_HEADS * HEAD_DIM]
    keys[p + "self_attn.o_proj.weight"] = [T_HIDDEN, HEADS * HEAD_DIM]
    keys[p + "mlp.gate_proj.weight"] = [T_MLP, T_HIDDEN]
    keys[p + "mlp.up_proj.weight"] = [T_MLP, T_HIDDEN]
    keys[p + "mlp.down_proj.weight"] = [T_HIDDEN, T_MLP]
    keys[p + "input_layernorm.weight"] = [T_HIDDEN]
    keys[p + "post_attention_layernorm.weight"] = [T_HIDDEN]
keys[t + "norm.weight"] = [T_HIDDEN]

# Ordinal (byte) order, as safetensors headers list them.
for name in sorted(keys):
    print(f"{name} shape: [{', '.join(str(d) for d in keys[name])}]")
