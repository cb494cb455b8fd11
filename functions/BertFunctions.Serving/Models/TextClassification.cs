namespace BertFunctions.Serving.Models;

/// <summary>What a model says about one text.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Score">Its probability.</param>
/// <param name="Probabilities">Every class's probability (softmax of the logits), in label-id order.</param>
/// <param name="Logits">The raw logits, in label-id order.</param>
/// <param name="Truncated">The text had more word pieces than the model's sequence length: only its head and tail were seen.</param>
/// <param name="Tokens">Word pieces of the text before truncation ([CLS] and [SEP] not counted).</param>
public sealed record TextClassification(string Label, float Score, IReadOnlyDictionary<string, float> Probabilities, IReadOnlyList<float> Logits, bool Truncated, int Tokens);

/// <summary>One text as the model sees it.</summary>
/// <param name="InputIds">[CLS] pieces [SEP], truncated as in training.</param>
/// <param name="Truncated">Pieces were dropped.</param>
/// <param name="Tokens">Word pieces before truncation.</param>
public sealed record EncodedText(int[] InputIds, bool Truncated, int Tokens);
