// A user-assigned managed identity. User-assigned (not system-assigned) so that its role assignments exist before the
// app or job that uses it is created: the Functions host reaches storage on its first start, and a Container Apps Job
// pulls its image from the registry with it.

@description('Location of the identity.')
param location string

@description('Tags for the identity.')
param tags object

@description('Name of the identity.')
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
