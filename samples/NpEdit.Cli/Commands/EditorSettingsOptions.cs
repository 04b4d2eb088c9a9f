using System.CommandLine;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Losses;

namespace NpEdit.Cli.Commands;

/// <summary>The NP-Edit loss settings and ablation switches as command-line options (shared by train and bench).</summary>
internal sealed class EditorSettingsOptions
{
    private static readonly NpEditTrainer.Options Defaults = new();

    public Option<double> VlmWeight { get; } = new("--vlm-weight") { Description = "Weight of the VLM loss.", DefaultValueFactory = _ => Defaults.VlmWeight };
    public Option<double> DmdWeight { get; } = new("--dmd-weight") { Description = "Weight of the DMD loss.", DefaultValueFactory = _ => Defaults.DmdWeight };
    public Option<bool> NoVlm { get; } = new("--no-vlm") { Description = "Ablation: drop the VLM loss (only DMD)." };
    public Option<bool> NoDmd { get; } = new("--no-dmd") { Description = "Ablation: drop DMD (only VLM)." };
    public Option<bool> NoIdentity { get; } = new("--no-identity") { Description = "Ablation: drop the identity question." };
    public Option<bool> PresenceChecks { get; } = new("--presence-checks") { Description = "Extension: also ask add and replace edits whether the edited image alone has the edit object." };
    public Option<int> AugmentedCopies { get; } = new("--augmented-copies") { Description = "Extension: ask the judge about this many randomly perturbed copies of each edited image (0 = off).", DefaultValueFactory = _ => 0 };
    public Option<bool> EditQuestion { get; } = new("--edit-question") { Description = "Extension: also ask each row's verification question (EditQuestion column) of the edited image alone." };
    public Option<bool> FullVocabulary { get; } = new("--full-vocab-ce") { Description = "Ablation: full-vocabulary cross-entropy instead of the Yes/No loss." };
    public Option<bool> OneStep { get; } = new("--one-step") { Description = "Ablation: one-step unroll instead of two-step." };
    public Option<double> Guidance { get; } = new("--dmd-guidance") { Description = "Teacher guidance scale in DMD.", DefaultValueFactory = _ => Defaults.DmdGuidanceScale };
    public Option<double> DmdTimeMin { get; } = new("--dmd-time-min") { Description = "Smallest time DMD re-noises the output to.", DefaultValueFactory = _ => Defaults.DmdTimeMin };
    public Option<double> DmdTimeMax { get; } = new("--dmd-time-max") { Description = "Largest time DMD re-noises the output to.", DefaultValueFactory = _ => Defaults.DmdTimeMax };
    public Option<int> DmdSamples { get; } = new("--dmd-samples") { Description = "Extension: re-noisings of each output whose DMD gradients are averaged.", DefaultValueFactory = _ => Defaults.DmdSamples };
    public Option<int> DmdGradientPool { get; } = new("--dmd-gradient-pool") { Description = "Extension: average DMD's gradient over blocks of this size (1 = off).", DefaultValueFactory = _ => Defaults.DmdGradientPool };
    public Option<FakeScoreKind> FakeScore { get; } = new("--fake-score") { Description = "Extension: DMD's fake score is the online model (Online, the paper) or the frozen prior on the source caption (SourceCaptionPrior).", DefaultValueFactory = _ => Defaults.FakeScore };
    public Option<bool> FakeOnDmdTimes { get; } = new("--fake-on-dmd-times") { Description = "Train the fake score at DMD's re-noising times (uniform, as DMD2) instead of the prior's shifted logit-normal times." };
    public Option<int> FakeUpdates { get; } = new("--fake-updates") { Description = "Fake-score updates per generator step.", DefaultValueFactory = _ => Defaults.FakeScoreUpdates };
    public Option<double> LearningRate { get; } = new("--lr") { Description = "Generator learning rate.", DefaultValueFactory = _ => Defaults.LearningRate };
    public Option<double> Beta1 { get; } = new("--beta1") { Description = "AdamW beta1 of the generator and the fake score (0 as in DMD2 and the paper).", DefaultValueFactory = _ => Defaults.Beta1 };
    public Option<double> Beta2 { get; } = new("--beta2") { Description = "AdamW beta2 of the generator and the fake score.", DefaultValueFactory = _ => Defaults.Beta2 };
    public Option<double> FakeLearningRate { get; } = new("--fake-lr") { Description = "Fake-score learning rate.", DefaultValueFactory = _ => Defaults.FakeLearningRate };
    public Option<double> DoNothingProbability { get; } = new("--do-nothing-p") { Description = "Probability that a row of the NP-Edit stage becomes \"do nothing.\" with a pull of the output towards the source.", DefaultValueFactory = _ => Defaults.DoNothingProbability };
    public Option<double> DoNothingWeight { get; } = new("--do-nothing-weight") { Description = "Weight of the do-nothing pull towards the source.", DefaultValueFactory = _ => Defaults.DoNothingWeight };

    public static EditorSettingsOptions Create() => new();

    private bool _editingOptionsAdded = true;

    /// <summary>The options that only mean something when the student edits a source image: the VLM loss and its
    /// questions, and the do-nothing regulariser (a student without a reference has no source to keep).</summary>
    private Option[] EditingOptions => new Option[] { VlmWeight, NoVlm, NoIdentity, PresenceChecks, EditQuestion, AugmentedCopies, FullVocabulary, DoNothingProbability, DoNothingWeight };

    private Option[] OtherOptions => new Option[] { DmdWeight, NoDmd, OneStep, Guidance, DmdTimeMin, DmdTimeMax, DmdSamples, DmdGradientPool, FakeScore, FakeOnDmdTimes, FakeUpdates, LearningRate, FakeLearningRate, Beta1, Beta2 };

    /// <param name="withEditingOptions">False for a verb that trains without a judge or a source image: those options are
    /// not offered, so that a user who passes one is told so instead of having it ignored.</param>
    public void AddTo(Command command, bool withEditingOptions = true)
    {
        _editingOptionsAdded = withEditingOptions;
        foreach (var option in (withEditingOptions ? EditingOptions : Array.Empty<Option>()).Concat(OtherOptions))
        {
            command.Options.Add(option);
        }
    }

    public void Apply(ParseResult parse, NpEditTrainer.Options options)
    {
        if (_editingOptionsAdded)
        {
            options.VlmWeight = parse.GetValue(VlmWeight);
            options.UseVlmLoss = !parse.GetValue(NoVlm);
            options.UseIdentityQuestion = !parse.GetValue(NoIdentity);
            options.UsePresenceChecks = parse.GetValue(PresenceChecks);
            options.UseEditQuestion = parse.GetValue(EditQuestion);
            options.VlmAugmentedCopies = parse.GetValue(AugmentedCopies);
            options.VlmLoss = parse.GetValue(FullVocabulary) ? VlmLossKind.FullVocabulary : VlmLossKind.YesNoBinary;
            options.DoNothingProbability = parse.GetValue(DoNothingProbability);
            options.DoNothingWeight = parse.GetValue(DoNothingWeight);
        }
        options.DmdWeight = parse.GetValue(DmdWeight);
        options.UseDmdLoss = !parse.GetValue(NoDmd);
        options.Unroll = parse.GetValue(OneStep) ? UnrollMode.OneStep : UnrollMode.TwoStep;
        options.DmdGuidanceScale = parse.GetValue(Guidance);
        options.DmdTimeMin = parse.GetValue(DmdTimeMin);
        options.DmdTimeMax = parse.GetValue(DmdTimeMax);
        options.DmdSamples = parse.GetValue(DmdSamples);
        options.DmdGradientPool = parse.GetValue(DmdGradientPool);
        options.FakeScore = parse.GetValue(FakeScore);
        options.FakeScoreUpdates = parse.GetValue(FakeUpdates);
        options.FakeScoreOnDmdTimes = parse.GetValue(FakeOnDmdTimes);
        options.LearningRate = parse.GetValue(LearningRate);
        options.FakeLearningRate = parse.GetValue(FakeLearningRate);
        options.Beta1 = parse.GetValue(Beta1);
        options.Beta2 = parse.GetValue(Beta2);
    }
}
