[assembly: AssemblyFixture(typeof(BertFunctions.Datasets.Tests.BrownFixture))]
