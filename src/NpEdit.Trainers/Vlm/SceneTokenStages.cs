using System.Globalization;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Which question kinds a judge's scene-token steps read: groups of kinds join one at a time, and once all have joined
/// every kind is read. Fixed-length stages are a pure function of the step. With an accuracy gate, a stage instead ends
/// when every kind it reads is learnt (each kind's running accuracy, from <see cref="AdaptiveKindWeights"/>, at the gate
/// or above), after at least the minimum steps and at most the cap. Why: with fixed lengths, a group that joins while
/// the one before it is still learning races it, and which of the two the decoder learns first changed with the seed
/// (docs/judge.md, twentieth session). The gated stage is state, kept in checkpoints (<see cref="Save"/>).
/// </summary>
public sealed class SceneTokenStages
{
    private const string StageKey = "scene_stage";
    private const string StartKey = "scene_stage_start";
    private readonly string[][] _groups;

    /// <param name="groups">The groups in the order they join.</param>
    /// <param name="stageSteps">Fixed stages: the length of each. Gated: the least steps of each.</param>
    /// <param name="gateAccuracy">0: fixed-length stages; otherwise the running accuracy every kind of a stage must reach.</param>
    /// <param name="maxStageSteps">Gated: the most steps of a stage (0: no cap).</param>
    public SceneTokenStages(string[][] groups, int stageSteps, double gateAccuracy = 0, int maxStageSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (stageSteps < 1) throw new ArgumentOutOfRangeException(nameof(stageSteps), stageSteps, "A stage lasts at least one step.");
        if (!(gateAccuracy >= 0 && gateAccuracy < 1)) throw new ArgumentOutOfRangeException(nameof(gateAccuracy), gateAccuracy, "The gate is an accuracy in [0, 1) (0: fixed-length stages).");
        if (maxStageSteps < 0 || (maxStageSteps > 0 && maxStageSteps < stageSteps))
            throw new ArgumentOutOfRangeException(nameof(maxStageSteps), maxStageSteps, $"The cap on a stage's steps must be 0 (none) or at least its least steps ({stageSteps}).");
        _groups = groups;
        StageSteps = stageSteps;
        GateAccuracy = gateAccuracy;
        MaxStageSteps = maxStageSteps;
    }

    public int StageSteps { get; }
    public double GateAccuracy { get; }
    public int MaxStageSteps { get; }
    public bool Gated => GateAccuracy > 0;

    /// <summary>Gated: the groups joined so far, minus one (the group count once every kind is read).</summary>
    public int Stage { get; private set; }
    /// <summary>Gated: the first step of the current stage.</summary>
    public long StageStart { get; private set; }

    /// <summary>The kinds a step reads (null: every kind).</summary>
    public string[]? KindsAt(long step)
    {
        if (_groups.Length == 0) return null;
        long stage = Gated ? Stage : step / StageSteps;
        return stage >= _groups.Length ? null : _groups.Take((int)stage + 1).SelectMany(g => g).ToArray();
    }

    /// <summary>
    /// Gated stages, after a step's answers were added to <paramref name="errors"/>: moves to the next stage when the
    /// current one is learnt or has run its cap, and returns why (null: it goes on). Fixed stages never move here.
    /// </summary>
    public string? AfterStep(long step, AdaptiveKindWeights errors)
    {
        if (!Gated || KindsAt(step) is not { } kinds) return null;
        long length = step + 1 - StageStart;
        if (length < StageSteps) return null;
        string? reason = kinds.All(k => 1 - errors.ErrorOf(k) >= GateAccuracy)
            ? $"every kind at running accuracy {GateAccuracy.ToString("G", CultureInfo.InvariantCulture)} or above after {length} steps"
            : MaxStageSteps > 0 && length >= MaxStageSteps
                ? $"the cap of {MaxStageSteps} steps reached; below the gate: {string.Join(", ", kinds.Where(k => 1 - errors.ErrorOf(k) < GateAccuracy).Select(k => $"{k}={(1 - errors.ErrorOf(k)).ToString("F2", CultureInfo.InvariantCulture)}"))}"
                : null;
        if (reason is null) return null;
        Stage++;
        StageStart = step + 1;
        return reason;
    }

    public IEnumerable<KeyValuePair<string, string>> Save() => Gated
        ? [KeyValuePair.Create(StageKey, Stage.ToString(CultureInfo.InvariantCulture)), KeyValuePair.Create(StartKey, StageStart.ToString(CultureInfo.InvariantCulture))]
        : [];

    /// <summary>Gated: the stage a checkpoint's state holds (a checkpoint without one starts at the first stage);
    /// <paramref name="source"/> names the state's file in errors.</summary>
    public void Load(IReadOnlyDictionary<string, string> state, string source)
    {
        if (!Gated) return;
        (Stage, StageStart) = (0, 0);
        if (!state.TryGetValue(StageKey, out var stageText)) return;
        if (!int.TryParse(stageText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var stage) || stage < 0 || stage > _groups.Length)
            throw new FormatException($"{source}: '{StageKey}' = '{stageText}' is not a stage of {_groups.Length} groups.");
        if (!state.TryGetValue(StartKey, out var startText) || !long.TryParse(startText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var start) || start < 0)
            throw new FormatException($"{source}: '{StartKey}' is missing or not a step.");
        (Stage, StageStart) = (stage, start);
    }
}
