#!/bin/bash
python3 -c "
import json
users = json.load(open('/app/users.json'))['users']
print('\n'.join(sorted({u['email'].lower() for u in users if u['active']})))
" > /app/active_emails.txt
