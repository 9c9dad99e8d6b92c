import type { Command, Option } from 'commander';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function optionRow(option: Option): string {
  const notes: string[] = [];
  if (option.mandatory) notes.push('required');
  if (option.argChoices) notes.push(`one of ${option.argChoices.map((choice) => `\`${choice}\``).join(', ')}`);
  if (option.defaultValue !== undefined) notes.push(`default \`${String(option.defaultValue)}\``);
  return `| \`${option.flags}\` | ${cell(option.description)}${notes.length ? ` (${notes.join('; ')})` : ''} |`;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

function renderCommand(command: Command): string[] {
  const argumentsText = command.registeredArguments.map((argument) => {
    const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
    return argument.required ? `<${name}>` : `[${name}]`;
  });
  const lines = [`### \`${[commandPath(command), ...argumentsText].join(' ')}\``, '', cell(command.description())];
  const described = command.registeredArguments.filter((argument) => argument.description);
  if (described.length)
    lines.push('', ...described.map((argument) => `- \`${argument.name()}\`: ${cell(argument.description)}`));
  if (command.options.length)
    lines.push('', '| option | meaning |', '| --- | --- |', ...command.options.map(optionRow));
  lines.push('');
  return [...lines, ...command.commands.flatMap(renderCommand)];
}

/** Every command of the CLI with its arguments and options, as commander knows them. */
export function cliReference(program: Command): string {
  return program.commands.flatMap(renderCommand).join('\n').trimEnd();
}
