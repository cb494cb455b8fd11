namespace BertFunctions.Modeling.Tests;

public sealed class BertConfigTests
{
    [Fact]
    public void Json_uses_hf_field_names_and_round_trips()
    {
        var json = TinyBert.Config.ToJson();
        foreach (var field in new[] { "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id", "position_embedding_type", "id2label", "label2id", "model_type" })
        {
            Assert.Contains($"\"{field}\"", json, StringComparison.Ordinal);
        }

        var back = BertConfig.FromJson(json);
        Assert.Equal(TinyBert.Config.HiddenSize, back.HiddenSize);
        Assert.Equal(3, back.LabelCount);
        Assert.Equal("spam", back.Id2Label!["1"]);
        Assert.Equal(json, back.ToJson());
    }

    [Fact]
    public void Reads_a_bert_large_config_as_transformers_writes_it_and_keeps_unknown_fields()
    {
        const string json = """
            {
              "architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false,
              "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 1024, "initializer_range": 0.02,
              "intermediate_size": 4096, "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
              "num_attention_heads": 16, "num_hidden_layers": 24, "pad_token_id": 0, "position_embedding_type": "absolute",
              "transformers_version": "4.6.0.dev0", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522
            }
            """;
        var config = BertConfig.FromJson(json);
        Assert.Equal(24, config.NumHiddenLayers);
        Assert.Equal(64, config.HeadSize);
        Assert.Equal("BertForMaskedLM", Assert.Single(config.Architectures!));
        Assert.Contains("\"transformers_version\": \"4.6.0.dev0\"", config.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"hidden_act\": \"swiglu\"", "hidden_act = \"swiglu\" is not supported")]
    [InlineData("\"position_embedding_type\": \"relative_key\"", "position_embedding_type = \"relative_key\" is not supported")]
    [InlineData("\"hidden_size\": 100", "hidden_size = 100 is not supported: must be divisible by num_attention_heads = 12")]
    [InlineData("\"num_hidden_layers\": 0", "num_hidden_layers = 0 is not supported: must be positive")]
    [InlineData("\"vocab_size\": -5", "vocab_size = -5 is not supported: must be positive")]
    [InlineData("\"model_type\": \"roberta\"", "model_type = \"roberta\" is not supported")]
    [InlineData("\"hidden_dropout_prob\": 1.5", "hidden_dropout_prob = 1.5 is not supported")]
    public void Unsupported_values_are_rejected_naming_field_and_value(string field, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => BertConfig.FromJson("{" + field + "}", "dir/config.json"));
        Assert.StartsWith("dir/config.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Garbage_json_names_the_file()
    {
        var e = Assert.Throws<InvalidDataException>(() => BertConfig.FromJson("{ not json", "x/config.json"));
        Assert.StartsWith("x/config.json: not a valid BERT config.json", e.Message, StringComparison.Ordinal);
    }
}
