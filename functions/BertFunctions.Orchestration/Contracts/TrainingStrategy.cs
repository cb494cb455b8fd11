using System.Text.Json.Serialization;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>The three strategies of the source article, and the two floors every comparison should show beside them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingStrategy>))]
public enum TrainingStrategy
{
    /// <summary>Fine-tune a pretrained BERT on the labeled data.</summary>
    [JsonStringEnumMemberName("finetune")] Finetune,

    /// <summary>Domain-adaptive pretraining: continue MLM training of the pretrained BERT on the domain text, then fine-tune.</summary>
    [JsonStringEnumMemberName("dapt")] Dapt,

    /// <summary>Train a domain vocabulary, pretrain from random initialisation on the domain text, then fine-tune.</summary>
    [JsonStringEnumMemberName("scratch")] Scratch,

    /// <summary>
    /// The few-shot floor a careful user tries first: logistic regression on the base model's frozen, mean-pooled
    /// embeddings (only the classifier trains; seconds to minutes on a CPU).
    /// </summary>
    [JsonStringEnumMemberName("embeddings")] Embeddings,

    /// <summary>
    /// The classical baseline every comparison needs: TF-IDF word and character n-grams with logistic regression
    /// (ML.NET) on the same texts, budgets and splits. Experiments only: it is compared, not served.
    /// </summary>
    [JsonStringEnumMemberName("baseline")] Baseline,

    /// <summary>
    /// Task-adaptive pretraining (Gururangan et al. 2020): MLM on the task's own texts (the labeled dataset's, labels
    /// ignored), then fine-tune.
    /// </summary>
    [JsonStringEnumMemberName("tapt")] Tapt,

    /// <summary>DAPT on the domain text, then TAPT on the task's texts from that checkpoint, then fine-tune (experiments).</summary>
    [JsonStringEnumMemberName("dapt+tapt")] DaptTapt,
}
