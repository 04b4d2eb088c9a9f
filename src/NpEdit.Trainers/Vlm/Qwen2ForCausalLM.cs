using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// The decoder with its output head (<c>language_model.*</c>). With tied embeddings there is no <c>lm_head</c>
/// module at all, so the state_dict has no <c>lm_head.weight</c> key, as in a saved tied Hugging Face checkpoint.
/// </summary>
public sealed class Qwen2ForCausalLM : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Qwen2Model model;
    private readonly Linear? lm_head;
#pragma warning restore IDE1006

    public Qwen2ForCausalLM(TextModelConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(Qwen2ForCausalLM))
    {
        model = new Qwen2Model(config, device, dtype);
        lm_head = config.TieWordEmbeddings ? null : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    public Qwen2Model Model => model;

    /// <summary>Vocabulary logits for hidden states of any leading shape (<c>[..., D]</c> to <c>[..., V]</c>).</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is null ? nn.functional.linear(hidden, model.EmbedTokens.weight!) : lm_head.call(hidden);
}
