namespace BertFunctions.Infra.Tests;

/// <summary>host.json as the Durable Functions docs advise for the Azure Storage provider on Flex Consumption.</summary>
public sealed class HostJsonTests
{
    [Fact]
    public void Durable_queues_are_polled_at_most_every_10_seconds_so_a_scaled_in_app_picks_work_up_quickly()
    {
        var host = Json.ReadObject(Path.Combine(Bicep.RepoRoot, "host.json"));
        var provider = host["extensions"]?["durableTask"]?["storageProvider"];
        Assert.Equal("AzureStorage", provider?["type"]?.GetValue<string>());
        var interval = TimeSpan.Parse(provider?["maxQueuePollingInterval"]?.GetValue<string>() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(interval, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }
}
