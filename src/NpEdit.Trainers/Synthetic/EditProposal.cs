namespace NpEdit.Trainers.Synthetic;

/// <summary>An edit chosen for a scene before it is phrased: the target scene, the object noun, and the slot values its instruction templates need.</summary>
internal sealed record EditProposal(EditType Type, Scene Target, string ObjectPhrase, IReadOnlyDictionary<string, string> Slots);
