using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>SigLIP's ViT body (<c>vision_model.*</c>): embeddings, encoder, post_layernorm.</summary>
public sealed class SiglipVisionTransformer : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly SiglipVisionEmbeddings embeddings;
    private readonly SiglipEncoder encoder;
    private readonly LayerNorm post_layernorm;
#pragma warning restore IDE1006

    public SiglipVisionTransformer(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipVisionTransformer))
    {
        embeddings = new SiglipVisionEmbeddings(config, device, dtype);
        encoder = new SiglipEncoder(config, device, dtype);
        post_layernorm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>
    /// <c>hidden_states[layer]</c> (Python-style index over embeddings + each layer's output), without the
    /// post-layernorm: that is what LLaVA feeds its projector. Layers after the selected one are not run.
    /// </summary>
    public Tensor HiddenState(Tensor pixels, int layer)
    {
        int states = encoder.LayerCount + 1;
        int index = layer < 0 ? states + layer : layer;
        if (index < 0 || index >= states) throw new ArgumentOutOfRangeException(nameof(layer), $"Layer {layer} is outside the {states} hidden states.");
        using var scope = NewDisposeScope();
        return encoder.Forward(embeddings.call(pixels), index).MoveToOuterDisposeScope();
    }

    /// <summary><c>post_layernorm</c> applied to any hidden state.</summary>
    public Tensor PostLayerNorm(Tensor hidden) => post_layernorm.call(hidden);

    /// <summary>The final output with post-layernorm (SigLIP's <c>last_hidden_state</c>).</summary>
    public Tensor LastHiddenState(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        return post_layernorm.call(HiddenState(pixels, -1)).MoveToOuterDisposeScope();
    }
}
