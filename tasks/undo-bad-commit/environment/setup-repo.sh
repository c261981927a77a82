#!/bin/bash
# Builds the repository the task starts from: four commits, the third of which breaks config.ini.
set -e
git config --global user.email "dev@example.com"
git config --global user.name "Dev"
git config --global init.defaultBranch main
mkdir -p /app/repo && cd /app/repo && git init -q
printf '[server]\nport = 8080\nworkers = 4\n' > config.ini
git add config.ini && git commit -qm "Add server config"
printf '# Service\n\nRun with ./start.sh\n' > README.md
git add README.md && git commit -qm "Add README"
sed -i 's/port = 8080/port = 80800/' config.ini
printf 'debug = true\n' >> config.ini
git commit -qam "Tune server settings"
printf '\n## License\nMIT\n' >> README.md
git commit -qam "Add license section"
