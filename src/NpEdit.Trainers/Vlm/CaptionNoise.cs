namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Noise on what an edited-caption writer reads while it learns (teacher forcing), never on what it must write.
/// Why: a writer trained only on clean rows leans on two regularities that unseen rows break. (1) It reads the
/// instruction's verb and ignores the rest, so an unfamiliar verb ("get rid of", "relocate") reads as nothing;
/// dropping instruction tokens teaches it to infer the edit from the words around the verb as well (word dropout,
/// Iyyer et al. 2015). (2) It predicts each caption word from the words it has just written, so a colour it never
/// saw on a shape in training ("cyan" before "ring") vetoes that shape whatever the image shows; swapping an
/// attribute word it reads for another of its class (another colour, another shape) makes the word before a
/// noun unreliable, so the noun must come from the image or the instruction. (3) Its vision side never saw a colour
/// on a shape that training holds out, so it reads a cyan ring as a cyan square; a grayscale copy of the source image,
/// whose caption's colour words are not scored, asks for shapes, sizes and places from luminance alone, which no
/// colour can vouch for (a grayscale image shows no colour, so no held-out combination either). Targets stay the
/// clean caption.
/// </summary>
public sealed class CaptionNoise
{
    private readonly Dictionary<int, int> _classOf = new();
    private readonly List<int[]> _classes = new();
    private readonly int[] _reference;
    private readonly HashSet<int> _colorIds;

    /// <param name="tokenizer">The writer's tokenizer.</param>
    /// <param name="instructionDropRate">Chance that each instruction token is replaced: half the time by the unknown
    /// token, half by a token of another instruction in the same batch (so the replacements are words the writer knows).</param>
    /// <param name="attributeSwapRate">Chance that each caption token of a word class is replaced by another word of its class.</param>
    /// <param name="wordClasses">Interchangeable words (e.g. the colours; the shapes); a word that is not one token
    /// after a space is left out.</param>
    /// <param name="tokensPerImage">Image tokens in a prompt (the model's), to find the instruction inside prompts.</param>
    /// <param name="systemPrompt">The writer's system turn, likewise.</param>
    /// <param name="grayscaleRate">Chance that a row's image is shown in grayscale, its colour words unscored.</param>
    /// <param name="colorWords">The words a grayscale row does not score (one token after a space each).</param>
    public CaptionNoise(VlmTokenizer tokenizer, double instructionDropRate, double attributeSwapRate, IEnumerable<IEnumerable<string>> wordClasses,
        int tokensPerImage, string? systemPrompt = null, double grayscaleRate = 0, IEnumerable<string>? colorWords = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        CheckRate(instructionDropRate, nameof(instructionDropRate));
        CheckRate(attributeSwapRate, nameof(attributeSwapRate));
        CheckRate(grayscaleRate, nameof(grayscaleRate));
        if (grayscaleRate > 0 && colorWords is null) throw new ArgumentException("Grayscale rows need the colour words they do not score.", nameof(colorWords));
        InstructionDropRate = instructionDropRate;
        AttributeSwapRate = attributeSwapRate;
        GrayscaleRate = grayscaleRate;
        _colorIds = SingleTokenIds(tokenizer, colorWords ?? []).ToHashSet();
        foreach (var words in wordClasses)
        {
            var ids = SingleTokenIds(tokenizer, words).Distinct().ToArray();
            if (ids.Length < 2) continue; // nothing to swap with
            foreach (var id in ids)
            {
                if (!_classOf.TryAdd(id, _classes.Count)) throw new ArgumentException($"Token '{tokenizer.Decode([id])}' is in two word classes.", nameof(wordClasses));
            }
            _classes.Add(ids);
        }
        _reference = tokenizer.EncodeQuestion(1, EditedCaptionWriter.Prompt(string.Empty), tokensPerImage, systemPrompt);
    }

    public double InstructionDropRate { get; }
    public double AttributeSwapRate { get; }
    public double GrayscaleRate { get; }

    /// <summary>Whether a grayscale row leaves this caption token unscored.</summary>
    public bool IsColor(int tokenId) => _colorIds.Contains(tokenId);

    // Words as they appear inside a caption (after a space); a word that is more than one token is left out.
    private static IEnumerable<int> SingleTokenIds(VlmTokenizer tokenizer, IEnumerable<string> words) =>
        words.Select(w => tokenizer.Encode(" " + w)).Where(t => t.Count == 1).Select(t => t[0]);

    private static void CheckRate(double rate, string name)
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate)) throw new ArgumentOutOfRangeException(name, rate, "A rate is between 0 and 1.");
    }

    /// <summary>The word classes as token ids, as they are swapped.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Classes => _classes;

    /// <summary>
    /// Where the instruction sits in a writer prompt (<see cref="EditedCaptionWriter.Prompt"/>): what is left after
    /// the prefix and suffix it shares with the prompt of an empty instruction.
    /// </summary>
    public Range InstructionSpan(IReadOnlyList<int> prompt)
    {
        int prefix = 0;
        while (prefix < prompt.Count && prefix < _reference.Length && prompt[prefix] == _reference[prefix]) prefix++;
        int suffix = 0;
        while (suffix < prompt.Count - prefix && suffix < _reference.Length - prefix && prompt[^(suffix + 1)] == _reference[^(suffix + 1)]) suffix++;
        return prefix..(prompt.Count - suffix);
    }

    /// <summary>
    /// The input sequences (prompt then answer) with noise, one per row, and which rows show a grayscale image;
    /// <paramref name="answers"/> may end with the end token, which no class holds. The same <paramref name="random"/>
    /// state gives the same noise.
    /// </summary>
    public (IReadOnlyList<int[]> Inputs, bool[] Grayscale) Apply(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> answers, Random random)
    {
        if (prompts.Count != answers.Count) throw new ArgumentException("One answer per prompt is needed.", nameof(answers));
        var spans = prompts.Select(p => InstructionSpan(p)).ToArray();
        var pool = prompts.SelectMany((p, r) => p[spans[r]]).ToArray();
        var inputs = new List<int[]>(prompts.Count);
        var grayscale = new bool[prompts.Count];
        for (int row = 0; row < prompts.Count; row++)
        {
            var prompt = (int[])prompts[row].Clone();
            var (start, length) = spans[row].GetOffsetAndLength(prompt.Length);
            for (int i = start; i < start + length && InstructionDropRate > 0; i++)
            {
                if (random.NextDouble() >= InstructionDropRate) continue;
                prompt[i] = random.Next(2) == 0 || pool.Length == 0 ? CompactVocabulary.UnknownId : pool[random.Next(pool.Length)];
            }
            var answer = (int[])answers[row].Clone();
            for (int i = 0; i < answer.Length && AttributeSwapRate > 0; i++)
            {
                if (!_classOf.TryGetValue(answer[i], out var c) || random.NextDouble() >= AttributeSwapRate) continue;
                var members = _classes[c];
                int pick = random.Next(members.Length - 1);
                answer[i] = members[pick] == answer[i] ? members[^1] : members[pick];
            }
            inputs.Add([.. prompt, .. answer]);
            // Drawn only when asked for, so runs without grayscale rows draw the same noise as before it existed.
            if (GrayscaleRate > 0) grayscale[row] = random.NextDouble() < GrayscaleRate;
        }
        return (inputs, grayscale);
    }
}
