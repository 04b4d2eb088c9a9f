using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A LLaVA-OneVision vision-language model: SigLIP tower, GELU projector, Qwen2 decoder and the image newline
/// vector. Its state_dict keys are those of the Hugging Face <c>llava-onevision-*-hf</c> checkpoints
/// (<c>vision_tower.vision_model.*</c>, <c>multi_modal_projector.*</c>, <c>language_model.model.*</c>,
/// <c>image_newline</c>). Images enter as feature blocks that replace the <c>&lt;image&gt;</c> tokens of the prompt.
/// </summary>
public sealed class LlavaOnevisionModel : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly SiglipVisionModel vision_tower;
    private readonly LlavaMultiModalProjector multi_modal_projector;
    private readonly Qwen2ForCausalLM language_model;
    private readonly Parameter? image_newline;
#pragma warning restore IDE1006

    public LlavaOnevisionModel(VlmConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(LlavaOnevisionModel))
    {
        config.Validate();
        Config = config;
        vision_tower = new SiglipVisionModel(config.VisionConfig, device, dtype);
        multi_modal_projector = new LlavaMultiModalProjector(config, device, dtype);
        language_model = new Qwen2ForCausalLM(config.TextConfig, device, dtype);
        image_newline = config.UseImageNewlineParameter
            ? new Parameter(torch.zeros(config.TextConfig.HiddenSize, dtype: dtype, device: device))
            : null;
        RegisterComponents();
    }

    public VlmConfig Config { get; }

    public Qwen2ForCausalLM LanguageModel => language_model;

    /// <summary>
    /// <c>[N, TokensPerImage, text hidden]</c> for normalised pixels <c>[N,C,S,S]</c> (see <see cref="VlmImageProcessor"/>):
    /// the selected tower layer, projected, pooled by <c>image_pool_stride</c>, then one <c>image_newline</c>
    /// appended per image (LLaVA-OneVision's layout for images that are not tiled, as in its multi-image path).
    /// </summary>
    public Tensor ImageFeatures(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var selected = vision_tower.VisionModel.HiddenState(pixels, Config.VisionFeatureLayer);
        if (Config.VisionFeaturePostLayerNorm) selected = vision_tower.VisionModel.PostLayerNorm(selected);
        var projected = multi_modal_projector.call(selected); // [N, P, D]
        var global = Config.ImageGlobalMaxToken ? projected.amax(new long[] { 1 }, keepdim: true) : null;
        return AppendGlobalAndNewline(Pool(projected), global).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Full image features (<c>[N, TokensPerImage, D]</c>) from pooled tokens made elsewhere (<c>[N, pooled^2, D]</c>,
    /// e.g. <see cref="SceneTokens"/>): the global max token, if configured, is the maximum over the given tokens,
    /// and the model's own image newline follows, so the decoder sees the layout it sees for real images.
    /// </summary>
    public Tensor ImageFeaturesFromPooled(Tensor pooled)
    {
        long expected = (long)Config.PooledPatchesPerSide * Config.PooledPatchesPerSide;
        if (pooled.dim() != 3 || pooled.shape[1] != expected || pooled.shape[2] != Config.TextConfig.HiddenSize)
            throw new ArgumentException($"Expected pooled tokens [N, {expected}, {Config.TextConfig.HiddenSize}], got [{string.Join(",", pooled.shape)}].", nameof(pooled));
        using var scope = NewDisposeScope();
        var global = Config.ImageGlobalMaxToken ? pooled.amax(new long[] { 1 }, keepdim: true) : null;
        return AppendGlobalAndNewline(pooled, global).MoveToOuterDisposeScope();
    }

    private Tensor AppendGlobalAndNewline(Tensor pooled, Tensor? global)
    {
        if (global is not null) pooled = torch.cat(new[] { pooled, global }, dim: 1);
        if (image_newline is null) return pooled;
        long n = pooled.shape[0], d = pooled.shape[2];
        var newline = image_newline.to(pooled.dtype).view(1, 1, d).expand(n, 1, d);
        return torch.cat(new[] { pooled, newline }, dim: 1);
    }

    /// <summary>
    /// Final decoder hidden states <c>[B,T,D]</c>. <paramref name="imageFeatures"/> (<c>[M, TokensPerImage, D]</c>,
    /// from <see cref="ImageFeatures"/>) fill the image-token positions of <paramref name="inputIds"/> in reading
    /// order: row 0 left to right, then row 1, and so on; their count must match exactly.
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask, Tensor? imageFeatures) =>
        ForwardTapped(inputIds, attentionMask, imageFeatures, tapAfterLayers: -1).Final;

    /// <summary><see cref="Forward"/> plus the decoder's residual stream after its first <paramref name="tapAfterLayers"/>
    /// blocks (see <see cref="Qwen2Model.ForwardTapped"/>).</summary>
    public (Tensor Final, Tensor? Tapped) ForwardTapped(Tensor inputIds, Tensor attentionMask, Tensor? imageFeatures, int tapAfterLayers)
    {
        using var scope = NewDisposeScope();
        var embeds = language_model.Model.EmbedTokens.call(inputIds);
        var isImage = inputIds.Eq(Config.ImageTokenIndex);
        long slots = isImage.sum().item<long>();
        long supplied = imageFeatures is null ? 0 : imageFeatures.shape[0] * imageFeatures.shape[1];
        if (slots != supplied)
        {
            throw new ArgumentException(
                $"The prompts hold {slots} image-token positions but {supplied} image feature vectors were given " +
                $"({Config.TokensPerImage} per image); expand each <image> placeholder with VlmPrompt first.");
        }
        if (imageFeatures is not null && supplied > 0)
        {
            // masked_scatter fills masked positions in row-major order and is differentiable w.r.t. the source,
            // so gradients reach the pixels through the features.
            var source = imageFeatures.to(embeds.dtype).reshape(-1, embeds.shape[2]);
            embeds = embeds.masked_scatter(isImage.unsqueeze(-1).expand_as(embeds), source);
        }
        var (final, tapped) = language_model.Model.ForwardTapped(embeds, attentionMask, tapAfterLayers);
        return (final.MoveToOuterDisposeScope(), tapped?.MoveToOuterDisposeScope());
    }

    /// <summary>Vocabulary logits for decoder hidden states (<c>[..., D]</c> to <c>[..., V]</c>).</summary>
    public Tensor Logits(Tensor hidden) => language_model.Logits(hidden);

    private Tensor Pool(Tensor features)
    {
        int stride = Config.ImagePoolStride;
        if (stride == 1) return features.alias();
        long n = features.shape[0], d = features.shape[2];
        int side = Config.VisionConfig.PatchesPerSide;
        int pooled = Config.PooledPatchesPerSide;
        var grid = features.view(n, side, side, d).permute(0, 3, 1, 2);
        // Stride 2: bilinear without antialias, as LLaVA-OneVision pools video frames (for an even side this is
        // exactly a 2x2 average). Larger strides: an area average, because bilinear sampling at stride 4 would read
        // only the patches next to each sample point and drop the rest of the image.
        var resized = stride == 2
            ? nn.functional.interpolate(grid, new long[] { pooled, pooled }, mode: InterpolationMode.Bilinear, align_corners: false)
            : nn.functional.adaptive_avg_pool2d(grid, new long[] { pooled, pooled });
        return resized.permute(0, 2, 3, 1).reshape(n, pooled * pooled, d);
    }
}
