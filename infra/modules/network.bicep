// Optional private networking (main.bicep's vnetEnabled), as the official Flex Consumption samples offer: a virtual
// network the Functions app and the trainer's Container Apps environment join, and private endpoints for the Storage
// account's blob, queue and table services with their private DNS zones, so the pipeline's data traffic never uses
// the account's public endpoint (storage.bicep then denies it).

@description('Location of the network.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the virtual network.')
param name string

@description('Name of the Storage account that gets private endpoints.')
param storageAccountName string

@description('Address space of the network.')
param addressPrefix string = '10.0.0.0/16'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

// Flex Consumption integrates through a subnet delegated to Microsoft.App/environments, and so does a workload-profile
// Container Apps environment (at least /27); private endpoints get their own subnet.
resource vnet 'Microsoft.Network/virtualNetworks@2024-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: 'functions'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'trainer'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 23, 1)
          delegations: [{ name: 'containerapps', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 4)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

var services = ['blob', 'queue', 'table']

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for service in services: {
    name: 'privatelink.${service}.${environment().suffixes.storage}'
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (service, i) in services: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      virtualNetwork: { id: vnet.id }
      registrationEnabled: false
    }
  }
]

resource endpoints 'Microsoft.Network/privateEndpoints@2024-07-01' = [
  for service in services: {
    name: 'pe-${storageAccountName}-${service}'
    location: location
    tags: tags
    properties: {
      subnet: { id: resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'private-endpoints') }
      privateLinkServiceConnections: [
        {
          name: '${service}-connection'
          properties: {
            privateLinkServiceId: storage.id
            groupIds: [service]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-07-01' = [
  for (service, i) in services: {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [{ name: service, properties: { privateDnsZoneId: zones[i].id } }]
    }
  }
]

output functionsSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'functions')
output trainerSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'trainer')
