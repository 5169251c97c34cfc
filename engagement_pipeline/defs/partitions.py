"""The wave partition: one dynamic partition per wave folder with a valid name."""

from dagster import DynamicPartitionsDefinition

waves_partitions = DynamicPartitionsDefinition(name="waves")
