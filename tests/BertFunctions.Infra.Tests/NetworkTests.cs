using static BertFunctions.Infra.Tests.Json;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// Optional private networking (vnetEnabled): the Functions app and the trainer's environment join a virtual network,
/// the Storage account's blob, queue and table services get private endpoints with their DNS zones, and its public
/// endpoint denies everyone but trusted Azure services. Without it, none of that is deployed.
/// </summary>
public sealed class NetworkTests(InfraTemplates infra)
{
    private const string VnetType = "Microsoft.Network/virtualNetworks";
    private const string EndpointType = "Microsoft.Network/privateEndpoints";
    private const string ZoneGroupType = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
    private const string ZoneType = "Microsoft.Network/privateDnsZones";

    [Fact]
    public void With_vnet_enabled_storage_is_reached_through_private_endpoints_and_its_public_endpoint_denies()
    {
        var d = infra.Private;
        var vnet = Assert.Single(d.OfType(VnetType));
        var subnets = Items(At(vnet, "properties.subnets")).ToDictionary(s => Text(At(s, "name"))!, s => s);
        foreach (var delegated in new[] { "functions", "trainer" })
        {
            Assert.Equal("Microsoft.App/environments", Text(At(Items(At(subnets[delegated], "properties.delegations")).Single(), "properties.serviceName")));
        }

        var storage = Assert.Single(d.OfType(InfraChecks.StorageAccountType));
        Assert.Equal("Deny", Text(At(storage, "properties.networkAcls.defaultAction")));
        Assert.Equal("AzureServices", Text(At(storage, "properties.networkAcls.bypass")));

        var groups = d.OfType(EndpointType).SelectMany(e => Items(At(e, "properties.privateLinkServiceConnections")))
            .Select(c => (Target: Text(At(c, "properties.privateLinkServiceId")), Group: Text(Items(At(c, "properties.groupIds")).Single())))
            .ToList();
        Assert.Equal(["blob", "queue", "table"], groups.Select(g => g.Group!).Order(StringComparer.Ordinal));
        Assert.All(groups, g => Assert.Equal(Text(storage["id"]), g.Target));
        Assert.Equal(3, d.OfType(ZoneGroupType).Count);
        // privatelink.{service}.{the cloud's storage suffix}: the suffix stays an expression in a snapshot.
        var zones = d.OfType(ZoneType).Select(z => Text(z["name"])!).ToList();
        Assert.Equal(3, zones.Count);
        Assert.All(["blob", "queue", "table"], service => Assert.Single(zones, z => z.Contains("privatelink.", StringComparison.Ordinal) && z.Contains($"'{service}'", StringComparison.Ordinal)));

        var site = Assert.Single(d.OfType(InfraChecks.SiteType));
        Assert.EndsWith("/subnets/functions", Text(At(site, "properties.virtualNetworkSubnetId")), StringComparison.Ordinal);
        var environment = Assert.Single(d.OfType(InfraChecks.EnvironmentType));
        Assert.EndsWith("/subnets/trainer", Text(At(environment, "properties.vnetConfiguration.infrastructureSubnetId")), StringComparison.Ordinal);

        // The security rules hold with the network too.
        Assert.Empty(InfraChecks.StorageAccount(d));
        Assert.Empty(InfraChecks.NoKeysAnywhere(d));
    }

    [Fact]
    public void Without_it_there_is_no_network_and_storage_allows_its_public_endpoint()
    {
        var d = infra.T4;
        Assert.Empty(d.OfType(VnetType));
        Assert.Empty(d.OfType(EndpointType));
        Assert.Equal("Allow", Text(At(Assert.Single(d.OfType(InfraChecks.StorageAccountType)), "properties.networkAcls.defaultAction")));
        Assert.Null(At(Assert.Single(d.OfType(InfraChecks.SiteType)), "properties.virtualNetworkSubnetId"));
        Assert.Null(At(Assert.Single(d.OfType(InfraChecks.EnvironmentType)), "properties.vnetConfiguration"));
    }
}
