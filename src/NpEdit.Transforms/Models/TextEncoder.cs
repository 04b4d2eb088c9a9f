using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// A small bidirectional transformer over token ids: embedding + learned positions, pre-norm blocks with a padding
/// mask, final layer norm. Produces per-token features for the flow transformer's text stream.
/// </summary>
public sealed class TextEncoder : nn.Module
{
#pragma warning disable IDE1006 // state_dict keys follow the field names
    private readonly Embedding token_embedding;
    private readonly Parameter position_embedding;
    private readonly ModuleList<TextEncoderLayer> layers;
    private readonly LayerNorm final_norm;
#pragma warning restore IDE1006

    public TextEncoder(TextEncoderConfig config) : base(nameof(TextEncoder))
    {
        Config = config;
        token_embedding = nn.Embedding(config.VocabSize, config.Hidden);
        position_embedding = nn.Parameter(torch.randn(config.MaxLength, config.Hidden).Mul(0.02));
        layers = nn.ModuleList(Enumerable.Range(0, config.Depth).Select(_ => new TextEncoderLayer(config.Hidden, config.Heads)).ToArray());
        final_norm = nn.LayerNorm(config.Hidden);
        using (no_grad())
        {
            token_embedding.weight!.normal_(0, 0.02);
        }
        RegisterComponents();
    }

    public TextEncoderConfig Config { get; }

    /// <param name="ids">[B, L] compact token ids.</param>
    /// <param name="mask">[B, L] boolean, true for real tokens.</param>
    /// <returns>[B, L, Hidden].</returns>
    public Tensor Forward(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var x = token_embedding.call(ids).Add(position_embedding.narrow(0, 0, ids.shape[1]).unsqueeze(0));
        var attentionMask = mask.to(ScalarType.Bool).view(ids.shape[0], 1, 1, ids.shape[1]);
        foreach (var layer in layers)
        {
            x = layer.Forward(x, attentionMask);
        }
        return final_norm.call(x).MoveToOuterDisposeScope();
    }
}

/// <summary>Pre-norm self-attention + GELU MLP block of the <see cref="TextEncoder"/>.</summary>
public sealed class TextEncoderLayer : nn.Module
{
#pragma warning disable IDE1006
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm norm2;
    private readonly Linear fc1;
    private readonly Linear fc2;
#pragma warning restore IDE1006
    private readonly int _heads;

    public TextEncoderLayer(int hidden, int heads) : base(nameof(TextEncoderLayer))
    {
        _heads = heads;
        norm1 = nn.LayerNorm(hidden);
        qkv = nn.Linear(hidden, 3 * hidden);
        proj = nn.Linear(hidden, hidden);
        norm2 = nn.LayerNorm(hidden);
        fc1 = nn.Linear(hidden, 4 * hidden);
        fc2 = nn.Linear(4 * hidden, hidden);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], h = x.shape[2];
        var q = qkv.call(norm1.call(x)).view(b, n, 3, _heads, h / _heads).permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(q[0], q[1], q[2], attentionMask);
        x = x.Add(proj.call(attended.transpose(1, 2).reshape(b, n, h)));
        x = x.Add(fc2.call(nn.functional.gelu(fc1.call(norm2.call(x)))));
        return x.MoveToOuterDisposeScope();
    }
}
