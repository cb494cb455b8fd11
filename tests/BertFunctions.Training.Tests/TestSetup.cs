// Training tests share one Azurite and its datasets, and each uses both cores: run them one at a time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
[assembly: AssemblyFixture(typeof(BertFunctions.Training.Tests.TrainingFixture))]
