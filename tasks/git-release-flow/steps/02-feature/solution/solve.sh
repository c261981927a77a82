#!/bin/bash
cd /app/project
git checkout -q -b feature/greeting
printf '#!/bin/bash\necho "Hello, $1!"\n' > greet.sh
chmod +x greet.sh
git add greet.sh && git commit -qm "Add greet.sh"
